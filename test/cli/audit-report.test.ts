/**
 * The audit trail's file format and writer, and the `partner-center-audit` report: rendering as text and
 * Markdown, hostile server text, partial lines, and appends from several processes at once (real child
 * processes writing one real file).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serializeRecord, TrailWriter, type AuditRecord } from "../../provider/src/audit";
import {
  main,
  markdownText,
  parseTrail,
  shortLine,
  renderMarkdown,
  renderText,
} from "../../provider/src/cli/audit-report";
import { registerSecret } from "../../provider/src/errors";
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS, startEmulator } from "pulumi-partner-center-emulator";
import { record as baseRecord } from "../audit/helpers";

const ROOT = path.resolve(__dirname, "../..");
const CUSTOMER = "22222222-2222-4222-8222-222222222222";
const HOSTILE = 'Evil\u202e"Co"|<img src=x>\n# *bold* [link](http://x)\u0007\u200b';

/** A version 1 record of a Fabrikam removal, as older trails hold them. */
function record(over: Partial<AuditRecord>): AuditRecord {
  return baseRecord({
    version: 1,
    customer: { id: CUSTOMER, name: "Fabrikam Active Inc" },
    subject: { kind: "relationship", id: CUSTOMER, name: null },
    options: { suspendActiveSubscriptions: true },
    checks: { subscriptionsRead: 3, entitlementsRead: 0, reads: [] },
    outcome: null,
    ...over,
  });
}

const SUSPENDED_TRAIL = [
  record({
    phase: "checked",
    before: { relationshipToPartner: "reseller" },
    blockers: [
      {
        kind: "subscription",
        id: "sub-1",
        name: "Office 365 E3",
        status: "active",
        rule: "status active blocks removal",
      },
    ],
  }),
  record({
    op: "suspend",
    subject: { kind: "subscription", id: "sub-1", name: "Office 365 E3" },
    before: { status: "active" },
    after: { status: "suspended" },
    requests: [{ method: "PATCH", path: "/v1/x", requestId: "req-suspend", correlationId: "corr-1" }],
    outcome: "suspended",
  }),
  record({
    before: { relationshipToPartner: "reseller" },
    after: { relationshipToPartner: "none", confirmedBy: "patchResponse" },
    requests: [{ method: "PATCH", path: "/v1/y", requestId: "req-patch", correlationId: "corr-1" }],
    outcome: "removed",
  }),
];

function trailText(records: AuditRecord[]): string {
  return records.map(serializeRecord).join("");
}

describe("serializeRecord", () => {
  test("one line; server text round-trips exactly; controls, bidi and separators are escaped in the file", () => {
    // U+E0001 (a language tag) is an invisible format character outside the BMP: a surrogate pair in UTF-16.
    const name = `${HOSTILE}\u2028\u0085 \u{e0001}x`;
    const line = serializeRecord(record({ customer: { id: CUSTOMER, name } }));
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\r\u202e\u2028\u0085\u200b\u0007]|\u{e0001}/u);
    expect((JSON.parse(line) as AuditRecord).customer.name).toBe(name);
  });

  test("registered secrets and bearer tokens never reach the file, whatever field holds them", () => {
    const secret = "audit-unit-secret-4f2a9d1c-recognisable";
    registerSecret(secret);
    const line = serializeRecord(
      record({
        customer: { id: CUSTOMER, name: `Co ${secret}` },
        error: {
          code: "PPC_API",
          status: 500,
          partnerCenterCode: null,
          requestId: null,
          correlationId: null,
          message: `echo Authorization: Bearer eyJhbGciOi.abc.def and ${secret}`,
        },
      }),
    );
    expect(line).not.toContain(secret);
    expect(line).not.toContain("eyJhbGciOi");
    expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe("TrailWriter", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-trail-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("concurrent appends in one process: every line whole, in the order given, file mode 0600", async () => {
    const file = path.join(dir, "t.jsonl");
    const w = new TrailWriter(file);
    const big = "x".repeat(70_000); // larger than PIPE_BUF and than one pipe buffer
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        w.append(
          serializeRecord(
            record({ operationId: `op-${i}`, customer: { id: CUSTOMER, name: i % 10 ? `n${i}` : big } }),
          ),
        ),
      ),
    );
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as AuditRecord).operationId)).toEqual(
      Array.from({ length: 200 }, (_, i) => `op-${i}`),
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  test("a failed write rejects every record of its batch, and the writer recovers", async () => {
    const w = new TrailWriter(dir); // a directory: EISDIR
    await expect(w.append(serializeRecord(record({})))).rejects.toThrow(/EISDIR|illegal operation/i);
    const ok = new TrailWriter(path.join(dir, "ok.jsonl"));
    await expect(ok.append(serializeRecord(record({})))).resolves.toBeUndefined();
  });

  test("four processes appending to one file at once: no line interleaved or lost", async () => {
    const file = path.join(dir, "shared.jsonl");
    const script = `
      const { TrailWriter, serializeRecord } = require(${JSON.stringify(path.join(ROOT, "provider/dist/audit/index.js"))});
      const w = new TrailWriter(process.argv[1]);
      const rec = (i) => ({ version: 1, operationId: process.pid + "-" + i, customer: { id: "c", name: "y".repeat(i % 7 === 0 ? 9000 : 40) } });
      Promise.all(Array.from({ length: 250 }, (_, i) => w.append(serializeRecord(rec(i))))).then(() => process.exit(0));
    `;
    const runs = Array.from(
      { length: 4 },
      () =>
        new Promise<number | null>((resolve) => {
          const c = spawn(process.execPath, ["-e", script, file], { stdio: "ignore" });
          c.on("exit", resolve);
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0]);
    // Every record whole, none lost. A writer that reads the file's last byte while another process's large
    // write is half done sees no newline there and starts its batch on a fresh line: that leaves an empty
    // line, which the reader skips. Empty lines are the only thing allowed besides the records.
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    const records = lines.filter((l) => l !== "");
    expect(records).toHaveLength(1000);
    const ids = records.map((l) => (JSON.parse(l) as { operationId: string }).operationId);
    expect(new Set(ids).size).toBe(1000);
    const trail = parseTrail(lines.join("\n"));
    expect([trail.records.length, trail.invalid]).toEqual([1000, []]);
  }, 30_000);
});

describe("the report", () => {
  test("text: each operation with its checks, blockers, changes before -> after and the ids to quote", () => {
    const out = renderText(parseTrail(trailText(SUSPENDED_TRAIL)), "t.jsonl");
    expect(out).toContain("1 operation(s) (1 removed, 0 blocked, 0 failed, 0 unconfirmed, 0 incomplete)");
    expect(out).toContain("Fabrikam Active Inc (22222222-2222-4222-8222-222222222222): removal REMOVED");
    expect(out).toContain("read 3 subscription(s), 0 entitlement(s)");
    expect(out).toContain(
      'blockers at the check, cleared by the changes below: subscription sub-1 "Office 365 E3" (active)',
    );
    expect(out).toContain(
      'suspended subscription sub-1 "Office 365 E3": active -> suspended [MS-RequestId req-suspend, MS-CorrelationId corr-1]',
    );
    expect(out).toContain(
      "relationship: reseller -> none, confirmed by the PATCH response [MS-RequestId req-patch, MS-CorrelationId corr-1]",
    );
  });

  test("an operation without an outcome is flagged incomplete; a partial line and a future version are listed", () => {
    const text = `${serializeRecord(SUSPENDED_TRAIL[0]!)}{"version":1,"operationId":"trunc${"\n"}${JSON.stringify({ ...SUSPENDED_TRAIL[0], version: 3 })}\n`;
    const trail = parseTrail(text);
    expect(trail.invalid).toEqual([
      { line: 2, reason: "not JSON (a partial write?)" },
      { line: 3, reason: "record version 3 (this tool reads 1 and 2)" },
    ]);
    const out = renderText(trail);
    expect(out).toContain("removal INCOMPLETE");
    expect(out).toContain("no outcome recorded");
    expect(out).toContain("2 unreadable line(s)");
  });

  test("blocked and failed operations show their blockers and error code", () => {
    const out = renderText(
      parseTrail(
        trailText([
          record({
            operationId: "b",
            outcome: "blocked",
            blockers: [
              {
                kind: "reservedInstance",
                id: "ri-1",
                name: "DZH318Z0BQ4S",
                status: "fulfilled",
                rule: "a reservation blocks removal",
              },
            ],
            error: {
              code: "PPC_REMOVAL_BLOCKED",
              status: null,
              partnerCenterCode: null,
              requestId: null,
              correlationId: null,
              message: "m",
            },
          }),
          record({
            operationId: "f",
            outcome: "unconfirmed",
            error: {
              code: "PPC_REMOVAL_UNCONFIRMED",
              status: 500,
              partnerCenterCode: null,
              requestId: "r",
              correlationId: "c",
              message: "not confirmed",
            },
          }),
        ]),
      ),
    );
    expect(out).toContain('blockers: reservedInstance ri-1 "DZH318Z0BQ4S" (fulfilled)');
    expect(out).toContain("removal UNCONFIRMED");
    expect(out).toContain("error PPC_REMOVAL_UNCONFIRMED: not confirmed");
  });

  test("hostile server text: no control or bidi character reaches a person; Markdown and HTML are escaped", () => {
    const trail = parseTrail(
      trailText([record({ customer: { id: CUSTOMER, name: HOSTILE }, outcome: "removed" })]),
    );
    for (const out of [renderText(trail), renderMarkdown(trail)]) {
      expect(out).not.toMatch(
        /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/,
      );
    }
    const md = renderMarkdown(trail);
    const row = md.split("\n").find((l) => l.includes("Evil"))!;
    expect(row).toContain('Evil"Co"\\|&lt;img src=x&gt; \\# \\*bold\\* \\[link\\]\\(http:&#47;&#47;x\\)');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(8); // 6 cells: the name's | did not add one
    expect(shortLine("a\u202eb\nc")).toBe("ab c");
    expect(markdownText("<x>|y")).toBe("&lt;x&gt;\\|y");
  });

  test("Markdown: counts table and one row per operation", () => {
    const md = renderMarkdown(parseTrail(trailText(SUSPENDED_TRAIL)), "trail.jsonl");
    expect(md).toMatch(/^## Partner Center audit trail/);
    expect(md).toContain("| removed | blocked | failed | unconfirmed | incomplete |");
    expect(md).toContain("| 1 | 0 | 0 | 0 | 0 |");
    expect(md).toMatch(
      /\| Fabrikam Active Inc \(22222222-2222-4222-8222-222222222222\) \| removal \| removed \| [^|]+ \| op-1 \|/,
    );
    expect(md).toContain("MS-RequestId req-patch");
  });

  test("the command: usage errors exit 2, a missing file exits 2, --operation filters", async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(
      await main(
        [],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join("")).toMatch(/exactly one trail FILE/);
    expect(
      await main(
        ["--nope", "f"],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(
      await main(
        ["/nonexistent/trail.jsonl"],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join("")).toMatch(/cannot read .*ENOENT/);
    // A FIFO named as the trail: refused at once (a plain read would wait for a writer for ever).
    const fifoDir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-report-fifo-"));
    const fifo = path.join(fifoDir, "trail.jsonl");
    spawnSync("mkfifo", [fifo]);
    expect(
      await main(
        [fifo],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join("")).toMatch(/cannot read .*trail\.jsonl: .*is a FIFO, not a regular file/);
    fs.rmSync(fifoDir, { recursive: true, force: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-report-"));
    const file = path.join(dir, "t.jsonl");
    fs.writeFileSync(
      file,
      trailText([...SUSPENDED_TRAIL, record({ operationId: "other", outcome: "blocked" })]),
    );
    out.length = 0;
    expect(
      await main(
        ["--markdown", "--operation", "other", file],
        (s) => out.push(s),
        () => undefined,
      ),
    ).toBe(1); // a blocked operation needs a person
    expect(out.join("")).toContain("1 operation(s)");
    expect(out.join("")).toContain("| blocked |");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("torn writes", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-torn-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("a short write (file size limit: EFBIG) is taken back; the next record is whole and readable", () => {
    const file = path.join(dir, "t.jsonl");
    // A process whose files may not grow past 1024 bytes (ulimit -f 1), SIGXFSZ ignored so the write is short.
    const script = `
      const { TrailWriter } = require(${JSON.stringify(path.join(ROOT, "provider/dist/audit/index.js"))});
      const w = new TrailWriter(process.argv[1]);
      const line = (c, n) => JSON.stringify({ version: 2, operationId: c, customer: { id: c.repeat(n) } }) + "\\n";
      (async () => {
        await w.append(line("a", 250));
        const big = await w.append(line("b", 2000)).then(() => "written", (e) => e.message);
        await w.append(line("c", 250));
        console.log(big);
      })().catch((e) => { console.log("failed: " + e.message); process.exit(1); });
    `;
    const r = spawnSync(
      "bash",
      ["-c", `trap '' XFSZ; ulimit -f 1; exec "$0" -e "$1" "$2"`, process.execPath, script, file],
      {
        encoding: "utf8",
      },
    );
    expect(r.stdout).toMatch(/only \d+ of \d+ bytes were written/);
    expect(r.status).toBe(0);
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines.map((l) => (l ? (JSON.parse(l) as { operationId: string }).operationId : ""))).toEqual([
      "a",
      "c",
      "",
    ]);
  });

  test("a fragment left at the end of the file (another process, a crash) never swallows the next record", async () => {
    const file = path.join(dir, "t.jsonl");
    fs.writeFileSync(
      file,
      `${serializeRecord(record({ operationId: "before" }))}{"version":2,"operationId":"tor`,
    );
    await new TrailWriter(file).append(serializeRecord(record({ operationId: "after", outcome: "removed" })));
    const trail = parseTrail(fs.readFileSync(file, "utf8"));
    expect(trail.records.map((r) => r.operationId)).toEqual(["before", "after"]);
    expect(trail.invalid).toEqual([{ line: 2, reason: "not JSON (a partial write?)" }]);
    const err: string[] = [];
    await main(
      [file],
      () => undefined,
      (e) => err.push(e),
    );
    expect(err.join("")).toContain("warning: line 2 skipped: not JSON (a partial write?)");
  });
});

describe("the report: every field escaped, JSON, operation ids, exit codes", () => {
  const ESC = "\u001b[2J\u001b[31m";
  const LINK = "[click](https://evil.example/x) <img src=x onerror=alert(1)> https://evil.example/y";
  const hostile = record({
    operationId: `op${ESC}${LINK}`,
    op: `removal${ESC}${LINK}` as AuditRecord["op"],
    time: `2025${ESC}`,
    outcome: "failed",
    checks: {
      subscriptionsRead: 1,
      entitlementsRead: 0,
      reads: [{ what: `customer${ESC}${LINK}` as "customer", count: null, error: `E${ESC}${LINK}` }],
    },
    blockers: [{ kind: `kind${ESC}${LINK}` as "subscription", id: "i", name: "", status: "s", rule: "r" }],
    before: { relationshipToPartner: "reseller" },
    after: { relationshipToPartner: `x${ESC}`, confirmedBy: `cb${ESC}${LINK}` },
    requests: [
      { method: "PATCH", path: "/p", requestId: `rid${ESC}${LINK}`, correlationId: `cid${ESC}${LINK}` },
    ],
    error: {
      code: `PPC${ESC}${LINK}`,
      status: 500,
      partnerCenterCode: null,
      requestId: null,
      correlationId: null,
      message: `m${ESC}${LINK}`,
    },
  });

  test("op, blocker kind, reads, error, ids: no terminal escape in the text, no HTML or link in the Markdown", () => {
    const trail = parseTrail(trailText([hostile]));
    const text = renderText(trail);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain("kind[2J[31m[click]"); // shown, harmless
    const md = renderMarkdown(trail);
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(md).not.toContain("<img");
    expect(md).not.toMatch(/\]\(/); // no Markdown link
    expect(md).not.toContain("https://"); // no autolink
    const row = md.split("\n").find((l) => l.includes("Fabrikam"))!;
    expect(row.split(/(?<!\\)\|/)).toHaveLength(8);
  });

  test("--json: one document with each operation's id, outcome, writes and open intents; control characters escaped", async () => {
    const open = record({
      operationId: "op-open",
      phase: "intent",
      requests: [{ method: "PATCH", path: "/v1/customers/x", requestId: "rid-open", correlationId: "cid" }],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-report-"));
    const file = path.join(dir, "t.jsonl");
    fs.writeFileSync(file, trailText([...SUSPENDED_TRAIL, open, hostile]));
    const out: string[] = [];
    expect(
      await main(
        ["--json", file],
        (s) => out.push(s),
        () => undefined,
      ),
    ).toBe(1);
    const text = out.join("");
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const doc = JSON.parse(text) as {
      attention: boolean;
      operations: {
        operationId: string;
        outcome: string;
        openIntents: { requests: { requestId: string }[] }[];
      }[];
    };
    expect(doc.attention).toBe(true);
    expect(doc.operations.map((o) => [o.operationId, o.outcome])).toEqual([
      ["op-1", "removed"],
      ["op-open", "incomplete"],
      [hostile.operationId, "failed"],
    ]);
    expect(doc.operations[1]!.openIntents[0]!.requests[0]!.requestId).toBe("rid-open");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("exit codes: 0 when every operation ended well; 1 for failed, blocked, unconfirmed or incomplete; ids shown", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-report-"));
    const file = path.join(dir, "t.jsonl");
    const code = async (records: AuditRecord[]) => {
      fs.writeFileSync(file, trailText(records));
      const out: string[] = [];
      return [
        await main(
          [file],
          (s) => out.push(s),
          () => undefined,
        ),
        out.join(""),
      ] as const;
    };
    const [ok, text] = await code(SUSPENDED_TRAIL);
    expect(ok).toBe(0);
    expect(text).toContain("(operation op-1)");
    for (const outcome of ["failed", "blocked", "unconfirmed"] as const) {
      expect((await code([...SUSPENDED_TRAIL, record({ operationId: "x", outcome })]))[0]).toBe(1);
    }
    expect((await code([SUSPENDED_TRAIL[0]!]))[0]).toBe(1); // checked, no outcome: incomplete
    // A GDAP termination is reported and counted.
    const [gdap, gtext] = await code([
      ...SUSPENDED_TRAIL,
      record({
        operationId: "g",
        op: "gdapTermination",
        subject: { kind: "adminRelationship", id: "rel-1", name: null },
        options: null,
        checks: null,
        after: { status: "pending" },
        outcome: "requested",
        requests: [{ method: "POST", path: "/v1.0/x", requestId: "g-rid", correlationId: "g-cid" }],
      }),
    ]);
    expect(gdap).toBe(0);
    expect(gtext).toContain("1 GDAP termination(s)");
    expect(gtext).toContain("gdapTermination REQUESTED");
    expect(gtext).toContain(
      "adminRelationship rel-1: status pending [MS-RequestId g-rid, MS-CorrelationId g-cid]",
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("--reconcile: an intent with no outcome is settled by reading Partner Center; what it found is appended", async () => {
    const emulator = await startEmulator({ throttle: false });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-reconcile-"));
    try {
      const file = path.join(dir, "t.jsonl");
      // The writer is a process that has ended (its pid no longer runs), as after a kill.
      const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
      const customer = SAMPLE_CUSTOMERS.activeSubscriptions;
      const intent = record({
        operationId: "killed",
        op: "suspend",
        phase: "intent",
        customer: { id: customer, name: "Fabrikam" },
        subject: { kind: "subscription", id: SAMPLE_SUBSCRIPTIONS.legacyE3, name: null },
        before: { status: "active" },
        requests: [{ method: "PATCH", path: "/v1/x", requestId: "rid-killed", correlationId: "cid-killed" }],
        writer: { host: os.hostname(), pid: Number(dead.stdout.trim()) },
      });
      fs.writeFileSync(file, trailText([record({ operationId: "killed", phase: "checked" }), intent]));
      // The provider's settings, from the environment as in a pipeline; the emulator on loopback.
      const env: NodeJS.ProcessEnv = { PARTNER_CENTER_ALLOW_LOOPBACK_WITH_CREDENTIALS: "true" };
      for (const k of ["ENDPOINT", "AUTHORITY"]) env[`PARTNER_CENTER_${k}`] = emulator.url;
      Object.assign(env, {
        PARTNER_CENTER_TENANT_ID: "0a0a0a0a-0000-4000-8000-00000000000a",
        PARTNER_CENTER_CLIENT_ID: "audit-report",
        PARTNER_CENTER_REFRESH_TOKEN: "audit-report-refresh-token",
      });
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(
        ["--reconcile", file],
        (s) => out.push(s),
        (s) => err.push(s),
        env,
      );
      expect(err.join("")).toContain("reconciled 1 write(s) with no outcome");
      expect(code).toBe(1); // the suspension shows no effect: the operation is still incomplete
      const records = parseTrail(fs.readFileSync(file, "utf8")).records;
      expect(records.at(-1)).toMatchObject({
        operationId: "killed",
        op: "suspend",
        phase: "reconciled",
        outcome: "notApplied",
        after: { status: "active" },
        requests: intent.requests,
      });
      expect(out.join("")).toContain(
        "a later read found notApplied (status active) [MS-RequestId rid-killed",
      );
      expect(emulator.requests().filter((r) => r.method !== "GET")).toEqual([]);
      // Settled once: a second run finds nothing to do.
      err.length = 0;
      await main(
        ["--reconcile", file],
        () => undefined,
        (s) => err.push(s),
        env,
      );
      expect(err.join("")).toContain("reconciled 0 write(s)");
      // Without settings it cannot read Partner Center: exit 2, the file untouched.
      const before = fs.readFileSync(file, "utf8");
      expect(
        await main(
          ["--reconcile", file],
          () => undefined,
          () => undefined,
          {},
        ),
      ).toBe(2);
      expect(fs.readFileSync(file, "utf8")).toBe(before);
    } finally {
      await emulator.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
