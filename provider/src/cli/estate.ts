#!/usr/bin/env node
/**
 * `partner-center estate`: `export` writes the estate file from the live partner, `plan` compares it with the
 * stack and the live partner (read only), `unprotect` lifts Pulumi's protection from exactly the entries marked
 * `state: offboard`, so that the next `pulumi up` removes them. Exit codes: {@link EXIT}.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PartnerCenterClient } from "../client";
import { PartnerCenterError, printable } from "../errors";
import { getSharedGraphClient } from "../gdap/graph";
import { assertCredentials, loadSettings, type Settings } from "../settings";
import { exportEstate } from "../estate/export";
import { importFileFromEstate, providerUrnProblem, writeJsonFile } from "../estate/import-file";
import { loadEstate, loadEstateFile, readEstateFile } from "../estate/format";
import {
  formatPlan,
  needsAttention,
  nothingToDo,
  planEstate,
  stateResources,
  urnsOf,
  type StateResource,
} from "../estate/plan";

const USAGE = `Usage: partner-center estate <command> [options]

Commands:
  export [--out FILE] [--merge FILE] [--gdap] [--import-file FILE [--import-provider URN]] [--json]
      Writes the estate file (JSON) from the live partner: every reseller customer, named after its company,
      sorted by name. --merge FILE keeps that file's entries, fields and templates, adds new customers and
      marks those no longer found (goneFromPartnerCenter). --gdap adds their GDAP relationships and access
      assignments (naming the template each one matches). Default output: standard output.
      --import-file FILE also writes a \`pulumi import --file\` file adopting each customer (but those gone or
      marked offboard) as the provider plugin's partnercenter:index:ResellerRelationship; --import-provider
      URN imports them under that explicit provider instance.
  plan --estate FILE [--stack NAME | --state FILE] [--markdown] [--json]
      What \`pulumi up\` would do with the estate: adoptions, offboardings (removable now, or what blocks them
      and until when), entries missing from the file, GDAP changes. Reads only. The state comes from
      \`pulumi stack export\` (the Pulumi CLI on PATH) or a file written by it.
  unprotect --estate FILE [--stack NAME] [--dry-run] [--json]
      Runs \`pulumi state unprotect\` on the resources of the entries marked \`state: offboard\`, and on no
      other, so that the next \`pulumi up\` removes them.

Settings come from the environment, as for the provider: PARTNER_CENTER_ENDPOINT, PARTNER_CENTER_AUTHORITY,
PARTNER_CENTER_TENANT_ID, PARTNER_CENTER_CLIENT_ID, PARTNER_CENTER_CLIENT_SECRET, PARTNER_CENTER_REFRESH_TOKEN
(or PARTNER_CENTER_ACCESS_TOKEN), PARTNER_CENTER_GRAPH_ENDPOINT.
Exit code: 0 done (plan: every offboarding can go ahead); 1 plan: an offboarding is blocked or would change
subscriptions its entry does not allow, or an entry left the file without state: offboard; 2 bad usage, settings or estate file; 3 could not read Partner Center,
Microsoft Graph or the stack.`;

/** Exit codes of every estate command. */
export const EXIT = { ok: 0, attention: 1, usage: 2, couldNotRead: 3 } as const;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Runs the pulumi CLI; returns its standard output. */
  pulumi?: (args: string[]) => Promise<string>;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
};

class UsageError extends Error {}

function runPulumi(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { maxBuffer: 512 * 1024 * 1024 }, (e, stdout, stderr) => {
      if (e) {
        const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
        reject(
          new Error(
            missing
              ? "the pulumi CLI is not on PATH: install it, or give --state FILE (written by `pulumi stack export`)"
              : `pulumi ${args.slice(0, 2).join(" ")} failed: ${stderr.trim().split("\n").slice(-3).join(" ")}`,
          ),
        );
      } else resolve(stdout);
    });
  });
}

function client(env: NodeJS.ProcessEnv): { pc: PartnerCenterClient; settings: Settings } {
  const settings = loadSettings({}, env);
  assertCredentials(settings);
  return { pc: new PartnerCenterClient(settings), settings };
}

async function readState(v: { stack?: string; state?: string }, io: Io): Promise<StateResource[]> {
  if (v.state) return stateResources(JSON.parse(fs.readFileSync(v.state, "utf8")));
  const run = io.pulumi ?? runPulumi;
  return stateResources(JSON.parse(await run(["stack", "export", ...(v.stack ? ["--stack", v.stack] : [])])));
}

async function cmdExport(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      merge: { type: "string" },
      gdap: { type: "boolean" },
      json: { type: "boolean" },
      concurrency: { type: "string" },
      "import-file": { type: "string" },
      "import-provider": { type: "string" },
    },
    strict: true,
  });
  if (v["import-provider"] !== undefined && v["import-file"] === undefined)
    throw new UsageError("--import-provider goes with --import-file FILE");
  const badProvider = v["import-provider"] && providerUrnProblem(v["import-provider"]);
  if (badProvider) throw new UsageError(badProvider);
  const concurrency = v.concurrency === undefined ? 8 : Number(v.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError("--concurrency takes a whole number from 1 to 64");
  const merge = v.merge !== undefined ? readEstateFile(v.merge) : undefined;
  // A bad merge file is a usage error before anything is read or written (the document read above, checked).
  if (merge !== undefined) loadEstate(merge, path.basename(v.merge as string));
  const { pc, settings } = client(env);
  const graph = v.gdap ? getSharedGraphClient(pc, settings) : undefined;
  // A file is written beside its target and renamed at the end: a failed export never leaves half a file.
  const tmp = v.out
    ? path.join(path.dirname(v.out), `.${path.basename(v.out)}.${process.pid}.tmp`)
    : undefined;
  const fd = tmp ? fs.openSync(tmp, "w") : undefined;
  const written: string[] | undefined = v["import-file"] !== undefined ? [] : undefined;
  try {
    const summary = await exportEstate(pc, {
      ...(merge !== undefined && { merge, mergeSource: path.basename(v.merge as string) }),
      ...(graph && { graph }),
      concurrency,
      write: (s) => {
        written?.push(s);
        if (fd !== undefined) fs.writeSync(fd, s);
        else process.stdout.write(s);
      },
    });
    if (fd !== undefined && tmp && v.out) {
      fs.closeSync(fd);
      fs.renameSync(tmp, v.out);
    }
    let imports = "";
    if (written && v["import-file"]) {
      const provider = v["import-provider"];
      const doc = importFileFromEstate(JSON.parse(written.join("")), provider ? { provider } : {});
      writeJsonFile(v["import-file"], doc);
      imports = ` ${doc.resources.length} to import in ${v["import-file"]} (pulumi import --file).`;
    }
    const report = v.json
      ? JSON.stringify({ ...summary, file: v.out ?? null, importFile: v["import-file"] ?? null })
      : `${summary.customers} customers (${summary.added} new, ${summary.gone} gone from Partner Center${graph ? `, ${summary.adminRelationships} GDAP relationships added` : ""})${v.out ? ` written to ${v.out}` : ""}.${imports}`;
    // The estate itself may be on standard output: the report then goes to standard error.
    (v.out ? io.out : io.err)(report);
    return EXIT.ok;
  } catch (e) {
    if (fd !== undefined && tmp) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
    }
    throw e;
  } finally {
    await pc.close();
  }
}

async function cmdPlan(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      estate: { type: "string" },
      stack: { type: "string" },
      state: { type: "string" },
      markdown: { type: "boolean" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  if (!v.estate) throw new UsageError("plan needs --estate FILE");
  if (v.stack && v.state) throw new UsageError("give --stack or --state, not both");
  const estate = loadEstateFile(v.estate);
  const { pc } = client(env);
  try {
    const resources = await readState(v, io);
    const plan = await planEstate(pc, estate, resources);
    const blocked = plan.customers.some(needsAttention);
    const unreadable = plan.customers.some((r) => r.action === "unreadable");
    const code = unreadable ? EXIT.couldNotRead : blocked ? EXIT.attention : EXIT.ok;
    io.out(
      v.json
        ? JSON.stringify({ ...plan, nothingToDo: nothingToDo(plan), exitCode: code }, null, 2)
        : formatPlan(plan, v.markdown === true),
    );
    return code;
  } finally {
    await pc.close();
  }
}

async function cmdUnprotect(argv: string[], io: Io): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      estate: { type: "string" },
      stack: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  if (!v.estate) throw new UsageError("unprotect needs --estate FILE");
  const estate = loadEstateFile(v.estate);
  const resources = await readState({ ...(v.stack && { stack: v.stack }) }, io);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const named = estate.customers.filter((c) => c.state === "offboard");
  const urns = named.flatMap((c) => urnsOf(resources, c.customerId)).filter((u) => byUrn.get(u)?.protect);
  if (!v["dry-run"]) {
    const run = io.pulumi ?? runPulumi;
    for (const u of urns)
      await run(["state", "unprotect", "--yes", ...(v.stack ? ["--stack", v.stack] : []), u]);
  }
  io.out(
    v.json
      ? JSON.stringify({ unprotected: v["dry-run"] ? [] : urns, wouldUnprotect: urns })
      : urns.length
        ? `${v["dry-run"] ? "Would unprotect" : "Unprotected"} ${urns.length} resources of ${named.map((c) => c.name).join(", ")}:\n  ${urns.map(printable).join("\n  ")}`
        : "Nothing to unprotect.",
  );
  return EXIT.ok;
}

/** The command: returns the exit code. */
export async function main(
  argv: string[],
  io: Io = defaultIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (
    sub === undefined ||
    sub === "--help" ||
    sub === "-h" ||
    rest.includes("--help") ||
    rest.includes("-h")
  ) {
    io.out(USAGE);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  try {
    if (sub === "export") return await cmdExport(rest, io, env);
    if (sub === "plan") return await cmdPlan(rest, io, env);
    if (sub === "unprotect") return await cmdUnprotect(rest, io);
    throw new UsageError(`unknown command "${sub}": expected export, plan or unprotect`);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const usage =
      e instanceof UsageError ||
      (e instanceof PartnerCenterError && e.code === "PPC_CONFIGURATION") ||
      (e as NodeJS.ErrnoException).code?.startsWith?.("ERR_PARSE_ARGS");
    io.err(
      `partner-center estate: ${message}${usage ? "\n\nRun `partner-center estate --help` for usage." : ""}`,
    );
    return usage ? EXIT.usage : EXIT.couldNotRead;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`partner-center estate: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.couldNotRead;
    },
  );
}
