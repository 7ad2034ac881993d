/**
 * The audit trail's file format and writer, and the `partner-center-audit` report: rendering as text and
 * Markdown, hostile server text, partial lines, and appends from several processes at once (real child
 * processes writing one real file).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serializeRecord, TrailWriter, type AuditRecord } from "../../provider/src/audit";
import {
  main,
  markdownText,
  parseTrail,
  printable,
  renderMarkdown,
  renderText,
} from "../../provider/src/cli/audit-report";
import { registerSecret } from "../../provider/src/errors";

const ROOT = path.resolve(__dirname, "../..");
const CUSTOMER = "22222222-2222-4222-8222-222222222222";
const HOSTILE = 'Evil\u202e"Co"|<img src=x>\n# *bold* [link](http://x)\u0007\u200b';

function record(over: Partial<AuditRecord>): AuditRecord {
  return {
    version: 1,
    time: "2025-01-02T03:04:05.000Z",
    operationId: "op-1",
    op: "removal",
    phase: "outcome",
    customer: { id: CUSTOMER, name: "Fabrikam Active Inc" },
    partnerTenantId: null,
    endpoint: "http://127.0.0.1:1",
    subject: { kind: "relationship", id: CUSTOMER, name: null },
    options: { suspendActiveSubscriptions: true },
    checks: { subscriptionsRead: 3, entitlementsRead: 0, reads: [] },
    blockers: [],
    before: null,
    after: null,
    requests: [],
    outcome: null,
    error: null,
    ...over,
  };
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
    const trail = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    expect(trail).toHaveLength(1000);
    const ids = trail.map((l) => (JSON.parse(l) as { operationId: string }).operationId);
    expect(new Set(ids).size).toBe(1000);
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
    const text = `${serializeRecord(SUSPENDED_TRAIL[0]!)}{"version":1,"operationId":"trunc${"\n"}${JSON.stringify({ ...SUSPENDED_TRAIL[0], version: 2 })}\n`;
    const trail = parseTrail(text);
    expect(trail.invalid).toEqual([
      { line: 2, reason: "not JSON (a partial write?)" },
      { line: 3, reason: "record version 2 (this tool reads 1)" },
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
    expect(row).toContain('Evil"Co"\\|&lt;img src=x&gt; \\# \\*bold\\* \\[link\\](http://x)');
    expect(row.split(/(?<!\\)\|/)).toHaveLength(7); // 5 cells: the name's | did not add one
    expect(printable("a\u202eb\nc")).toBe("ab c");
    expect(markdownText("<x>|y")).toBe("&lt;x&gt;\\|y");
  });

  test("Markdown: counts table and one row per operation", () => {
    const md = renderMarkdown(parseTrail(trailText(SUSPENDED_TRAIL)), "trail.jsonl");
    expect(md).toMatch(/^## Partner Center audit trail/);
    expect(md).toContain("| removed | blocked | failed | unconfirmed | incomplete |");
    expect(md).toContain("| 1 | 0 | 0 | 0 | 0 |");
    expect(md).toMatch(
      /\| Fabrikam Active Inc \(22222222-2222-4222-8222-222222222222\) \| removal \| removed \|/,
    );
    expect(md).toContain("MS-RequestId req-patch");
  });

  test("the command: usage errors exit 2, a missing file exits 2, --operation filters", () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(
      main(
        [],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join("")).toMatch(/exactly one trail FILE/);
    expect(
      main(
        ["--nope", "f"],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(
      main(
        ["/nonexistent/trail.jsonl"],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join("")).toMatch(/cannot read .*ENOENT/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-report-"));
    const file = path.join(dir, "t.jsonl");
    fs.writeFileSync(
      file,
      trailText([...SUSPENDED_TRAIL, record({ operationId: "other", outcome: "blocked" })]),
    );
    out.length = 0;
    expect(
      main(
        ["--markdown", "--operation", "other", file],
        (s) => out.push(s),
        () => undefined,
      ),
    ).toBe(0);
    expect(out.join("")).toContain("1 operation(s)");
    expect(out.join("")).toContain("| blocked |");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
