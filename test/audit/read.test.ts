/** audit/read.ts: reading a trail back (every known version, damaged lines listed) and its open intents. */
import { openIntents, parseTrail } from "../../provider/src/audit/read";
import type { AuditRecord } from "../../provider/src/audit/trail";

const rec = (over: Record<string, unknown>) =>
  ({
    version: 2,
    operationId: "op",
    customer: { id: "c" },
    phase: "outcome",
    requests: [],
    ...over,
  }) as unknown as AuditRecord;
const req = (requestId: string) => ({ method: "PATCH", path: "/v1/x", requestId, correlationId: "k" });

describe("parseTrail", () => {
  test("version 1 and 2 records are read; a fragment, a non-record and a future version are listed by line", () => {
    const text = [
      JSON.stringify(rec({ version: 1, operationId: "a" })),
      '{"version":2,"operationId":"tor',
      JSON.stringify({ hello: "world" }),
      "",
      JSON.stringify(rec({ version: 3, operationId: "future" })),
      JSON.stringify(rec({ operationId: "b", requests: undefined })),
    ].join("\n");
    const t = parseTrail(text);
    expect(t.records.map((r) => r.operationId)).toEqual(["a", "b"]);
    expect(t.records[1]!.requests).toEqual([]);
    expect(t.invalid).toEqual([
      { line: 2, reason: "not JSON (a partial write?)" },
      { line: 3, reason: "not an audit record" },
      { line: 5, reason: "record version 3 (this tool reads 1 and 2)" },
    ]);
  });
});

describe("openIntents", () => {
  test("an intent is open until an outcome or reconciled record lists its request id; the last attempt wins", () => {
    const first = rec({ phase: "intent", operationId: "1", requests: [req("r1")] });
    const retry = rec({ phase: "intent", operationId: "1b", requests: [req("r1")] });
    const closed = rec({ phase: "intent", operationId: "2", requests: [req("r2")] });
    const reconciledLater = rec({ phase: "intent", operationId: "3", requests: [req("r3")] });
    const records = [
      first,
      closed,
      retry,
      reconciledLater,
      rec({ phase: "outcome", requests: [req("r2")] }),
      rec({ phase: "reconciled", requests: [req("r3")] }),
      rec({ phase: "checked", requests: [req("r1")] }),
    ];
    expect(openIntents(records)).toEqual([retry]);
  });
});
