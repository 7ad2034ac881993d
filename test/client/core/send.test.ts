/**
 * client/core/send.ts: the headers of one attempt. The transport's own headers always win; the caller adds the
 * rest (If-Match, MS-ContinuationToken). The same headers on the wire: wire.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { requestHeaders, USER_AGENT } from "../../../provider/src/client/core/send";

const IDS = {
  requestId: "5b1f0c2e-0000-4000-8000-000000000001",
  correlationId: "5b1f0c2e-0000-4000-8000-000000000002",
};

test("USER_AGENT names the provider package's version and Node's", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "../../../provider/package.json"), "utf8")) as {
    version: string;
  };
  expect(USER_AGENT).toBe(`pulumi-partner-center/${pkg.version} node/${process.versions.node}`);
});

/** The transport's own headers, without a body. */
const OURS = {
  authorization: "Bearer tok-1",
  accept: "application/json",
  "ms-requestid": IDS.requestId,
  "ms-correlationid": IDS.correlationId,
  "x-locale": "en-US",
  "user-agent": USER_AGENT,
};

test("a GET: the token, JSON, both ids, the locale and the user agent; no content type", () => {
  expect(requestHeaders("tok-1", undefined, IDS, false)).toEqual(OURS);
});

test("a body adds its JSON content type", () => {
  expect(requestHeaders("tok-1", undefined, IDS, true)["content-type"]).toBe(
    "application/json; charset=utf-8",
  );
});

test("the caller's headers are sent along", () => {
  const h = requestHeaders("tok-1", { "If-Match": '"etag-1"', "MS-ContinuationToken": "page-2" }, IDS, true);
  expect(h["If-Match"]).toBe('"etag-1"');
  expect(h["MS-ContinuationToken"]).toBe("page-2");
});

test("a header the transport owns is never taken from the caller, in any casing", () => {
  const hostile = {
    Authorization: "Bearer stolen",
    ACCEPT: "text/html",
    "MS-RequestId": "caller-request-id",
    "ms-correlationid": "caller-correlation-id",
    "X-Locale": "fr-FR",
    "User-Agent": "curl/8",
    "Content-Type": "text/plain",
    "Content-Length": "0",
    Host: "evil.example",
    Cookie: "session=1",
    "Transfer-Encoding": "chunked",
    Connection: "close",
  };
  const h = requestHeaders("tok-1", hostile, IDS, true);
  expect(h).toEqual({ ...OURS, "content-type": "application/json; charset=utf-8" });
});

test("an id not yet known is sent empty, never as 'undefined'", () => {
  const h = requestHeaders("tok-1", undefined, {}, false);
  expect(h["ms-requestid"]).toBe("");
  expect(h["ms-correlationid"]).toBe("");
});
