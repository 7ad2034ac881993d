/**
 * audit/trail.ts: the record format as written (one redacted, escaped JSON line per record; errors as a
 * record's `error` field) and the writer (ordered, whole lines, one queue per file).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  auditLogPath,
  errorOf,
  serializeRecord,
  TrailWriter,
  trailWriter,
  type AuditRecord,
} from "../../provider/src/audit/trail";
import { NotFoundError, registerSecret } from "../../provider/src/errors";
import { loadSettings } from "../../provider/src/settings";
import { record, tmpDir } from "./helpers";

describe("serializeRecord", () => {
  test("one line ending in \\n that parses back to the record", () => {
    const r = record({ customer: { id: "c", name: "Line\nbreak \u2028 and \u202e bidi" } });
    const line = serializeRecord(r);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\u2028\u202e]/);
    expect(JSON.parse(line)).toEqual(r);
  });

  test("a registered secret never reaches the file, wherever the service put it", () => {
    const secret = "trail-secret-value-0123456789";
    registerSecret(secret);
    const line = serializeRecord(
      record({ customer: { id: "c", name: `name ${secret}` }, error: errorOf(new Error(`said ${secret}`)) }),
    );
    expect(line).not.toContain(secret);
  });
});

test("errorOf: a provider error's code, status and ids; anything else as UNEXPECTED with its message", () => {
  expect(
    errorOf(
      new NotFoundError("gone", {
        status: 404,
        partnerCenterCode: "1000",
        requestId: "r",
        correlationId: "k",
      }),
    ),
  ).toMatchObject({
    code: "PPC_NOT_FOUND",
    status: 404,
    partnerCenterCode: "1000",
    requestId: "r",
    correlationId: "k",
  });
  expect(errorOf("text")).toEqual({
    code: "UNEXPECTED",
    status: null,
    partnerCenterCode: null,
    requestId: null,
    correlationId: null,
    message: "text",
  });
});

describe("the writer", () => {
  test("concurrent appends land whole, in the order given", async () => {
    const file = path.join(tmpDir(), "trail.jsonl");
    const w = new TrailWriter(file);
    const ids = Array.from({ length: 50 }, (_, i) => `op-${i}`);
    await Promise.all(ids.map((operationId) => w.append(serializeRecord(record({ operationId })))));
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as AuditRecord).operationId)).toEqual(ids);
  });

  test("a path that cannot be a file fails the append (the caller decides what that means)", async () => {
    await expect(new TrailWriter(tmpDir()).append(serializeRecord(record()))).rejects.toThrow();
  });

  test("one writer per file in the process, whatever the path's spelling", () => {
    const dir = tmpDir();
    expect(trailWriter(path.join(dir, "a.jsonl"))).toBe(trailWriter(path.join(dir, ".", "a.jsonl")));
    expect(trailWriter(path.join(dir, "a.jsonl"))).not.toBe(trailWriter(path.join(dir, "b.jsonl")));
  });

  test("auditLogPath: the configured file resolved against the current directory, or none", () => {
    expect(auditLogPath(loadSettings({}, {}))).toBeUndefined();
    expect(auditLogPath(loadSettings({ "partnercenter:auditLog": "audit/trail.jsonl" }, {}))).toBe(
      path.resolve("audit/trail.jsonl"),
    );
  });
});
