/**
 * The provider process notices when the Pulumi engine that started it is gone (the CLI was killed): from then
 * on it sends no new write to Partner Center or Graph (a removal half-way stops before its next change), and
 * it exits shortly after, so that it cannot act alongside the next run. Writes already sent are on record as
 * `intent`s in the audit trail; the next run settles them.
 *
 * How: the engine starts the provider through a `/bin/sh` launcher (`pulumi-resource-pulumi-nodejs`) that
 * stays as the parent of this process, so the engine is the parent's parent. When it dies, the launcher is
 * re-parented (on Linux, read from /proc) or, without a launcher, this process is. Elsewhere only the parent
 * is watched.
 */
import { readFileSync } from "node:fs";
import { stopWrites } from "./client/core/transport";

/** How often the parent chain is checked. */
const POLL_MS = 1000;
/** After the engine is gone: time left for writes in flight to be answered and recorded, then exit. */
export const ORPHAN_GRACE_MS = 10_000;

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces or parentheses, so split after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

let watching = false;

/** Starts watching (once per process); `log` receives the one line said when the engine is gone. */
export function watchEngine(log: (line: string) => void): void {
  if (watching) return;
  watching = true;
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  const timer = setInterval(() => {
    const now = process.ppid;
    const gone = now !== parent || (grandparent !== undefined && parentOf(now) !== grandparent);
    if (!gone) return;
    clearInterval(timer);
    const reason = "the Pulumi engine that started this provider process is gone (the CLI was stopped)";
    stopWrites(reason);
    log(
      `${reason}: no further change is sent; exiting in ${ORPHAN_GRACE_MS / 1000} s. Run \`pulumi cancel\`, then \`pulumi refresh\`: the audit trail's open intents are settled then.`,
    );
    setTimeout(() => process.exit(1), ORPHAN_GRACE_MS).unref();
  }, POLL_MS);
  timer.unref();
}
