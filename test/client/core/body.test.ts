/**
 * client/core/body.ts: answers read with a byte cap (past it the stream is destroyed, not buffered), as JSON,
 * or as the service's error body in any of its shapes. Bodies are Node streams, as undici hands them over.
 */
import { Readable } from "node:stream";
import { header, MAX_BODY_BYTES, readError, readJson } from "../../../provider/src/client/core/body";
import { registerSecret, ResponseValidationError } from "../../../provider/src/errors";

type Body = Parameters<typeof readJson>[0];

/** A body streamed in `chunks`; `pulled` counts the chunks read from it. */
function streamOf(chunks: Iterable<string | Buffer>): { body: Body; stream: Readable; pulled: () => number } {
  let n = 0;
  function* counted() {
    for (const c of chunks) {
      n++;
      yield Buffer.from(c);
    }
  }
  const stream = Readable.from(counted(), { objectMode: false });
  return { body: stream as unknown as Body, stream, pulled: () => n };
}

const bodyOf = (text: string | Buffer): Body => streamOf([text]).body;

/** Chunks of 1 MiB without end: only a reader that stops at its cap returns. */
function* endless(): Generator<Buffer> {
  const mib = Buffer.alloc(1024 * 1024, 0x20);
  for (;;) yield mib;
}

test("header: a single value, the first of a repeated one, or undefined", () => {
  expect(header({ "retry-after": "7" }, "retry-after")).toBe("7");
  expect(header({ "set-cookie": ["a=1", "b=2"] }, "set-cookie")).toBe("a=1");
  expect(header({}, "location")).toBeUndefined();
});

describe("readJson", () => {
  test("parsed JSON and the body's size in bytes (not characters)", async () => {
    const text = JSON.stringify({ companyName: "Contoso Société" });
    await expect(readJson(bodyOf(text), {})).resolves.toEqual({
      json: { companyName: "Contoso Société" },
      bytes: Buffer.byteLength(text),
    });
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
  });

  test("a body split across chunks is read whole", async () => {
    const { body } = streamOf(['{"items":[1,', "2,3]", "}"]);
    await expect(readJson(body, {})).resolves.toMatchObject({ json: { items: [1, 2, 3] } });
  });

  test("a leading byte order mark is dropped", async () => {
    await expect(readJson(bodyOf('\uFEFF{"id":"a"}'), {})).resolves.toMatchObject({ json: { id: "a" } });
  });

  test("an empty or blank body is an empty object (a write answered without content)", async () => {
    await expect(readJson(bodyOf(""), {})).resolves.toEqual({ json: {}, bytes: 0 });
    await expect(readJson(bodyOf(" \n"), {})).resolves.toEqual({ json: {}, bytes: 2 });
  });

  test("text that is not JSON: ResponseValidationError", async () => {
    const e = await readJson(bodyOf("<html>Service Unavailable</html>"), {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain("not valid JSON");
  });

  test("a Content-Length past the cap is refused before a byte is read, and the stream destroyed", async () => {
    const { body, stream, pulled } = streamOf(endless());
    const e = await readJson(body, { "content-length": String(MAX_BODY_BYTES + 1) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain(`larger than ${MAX_BODY_BYTES} bytes`);
    expect(pulled()).toBe(0);
    expect(stream.destroyed).toBe(true);
  });

  test("a body without a length that grows past the cap is cut there and destroyed", async () => {
    const { body, stream, pulled } = streamOf(endless());
    const e = await readJson(body, {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseValidationError);
    expect((e as Error).message).toContain("larger than");
    expect(pulled()).toBeLessThanOrEqual(MAX_BODY_BYTES / (1024 * 1024) + 2);
    expect(stream.destroyed).toBe(true);
  });

  test("a body of exactly the cap is read; one byte more is not", async () => {
    const exactly = `"${"a".repeat(MAX_BODY_BYTES - 2)}"`;
    await expect(readJson(bodyOf(exactly), {})).resolves.toMatchObject({ bytes: MAX_BODY_BYTES });
    await expect(readJson(bodyOf(`${exactly} `), {})).rejects.toBeInstanceOf(ResponseValidationError);
  });
});

describe("readError", () => {
  test("Partner Center's {code, description}: the code as text", async () => {
    await expect(
      readError(bodyOf(JSON.stringify({ code: 20002, description: "No relationship." }))),
    ).resolves.toEqual({ partnerCenterCode: "20002", partnerCenterDescription: "No relationship." });
  });

  test("the same in PascalCase", async () => {
    await expect(
      readError(bodyOf(JSON.stringify({ Code: "600", Description: "Invalid." }))),
    ).resolves.toEqual({
      partnerCenterCode: "600",
      partnerCenterDescription: "Invalid.",
    });
  });

  test("the 429 body {statusCode, message}: the message is the description", async () => {
    const body = { statusCode: 429, message: "Rate limit is exceeded. Try again in 57 seconds." };
    await expect(readError(bodyOf(JSON.stringify(body)))).resolves.toEqual({
      partnerCenterDescription: "Rate limit is exceeded. Try again in 57 seconds.",
    });
  });

  test("Microsoft Graph's {error: {code, message}}: its code and message", async () => {
    const graph = { error: { code: "Request_ResourceNotFound", message: "Not found.", innerError: {} } };
    await expect(readError(bodyOf(JSON.stringify(graph)))).resolves.toEqual({
      partnerCenterCode: "Request_ResourceNotFound",
      partnerCenterDescription: "Not found.",
    });
    await expect(readError(bodyOf(JSON.stringify({ error: { code: "badRequest" } })))).resolves.toEqual({
      partnerCenterCode: "badRequest",
    });
  });

  test("plain text: trimmed, as the description", async () => {
    await expect(readError(bodyOf("  Service Unavailable \n"))).resolves.toEqual({
      partnerCenterDescription: "Service Unavailable",
    });
  });

  test("a secret echoed in the text is redacted; a long description is cut after redaction", async () => {
    const secret = "an-echoed-refresh-token-0123456789";
    registerSecret(secret);
    const text = await readError(bodyOf(`Invalid grant ${secret}`));
    expect(text?.partnerCenterDescription).toBe("Invalid grant [REDACTED]");
    const long = await readError(bodyOf(JSON.stringify({ code: 1, description: "x".repeat(2_000) })));
    expect(long?.partnerCenterDescription).toBe(`${"x".repeat(500)}...`);
  });

  test("nothing to read: undefined (empty, or JSON of another shape)", async () => {
    await expect(readError(bodyOf(""))).resolves.toBeUndefined();
    await expect(readError(bodyOf(JSON.stringify({ code: { nested: true } })))).resolves.toBeUndefined();
    await expect(readError(bodyOf("[1,2]"))).resolves.toBeUndefined();
  });

  test("never throws: an error body past 64 KiB or a failing stream is undefined", async () => {
    const { body, stream } = streamOf(endless());
    await expect(readError(body)).resolves.toBeUndefined();
    expect(stream.destroyed).toBe(true);
    const failing = new Readable({
      read() {
        this.destroy(new Error("socket hang up"));
      },
    });
    await expect(readError(failing as unknown as Body)).resolves.toBeUndefined();
  });
});
