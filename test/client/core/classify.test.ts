/**
 * client/core/classify.ts: what an answer (status and error body) or a failure to get one means, as a typed
 * error and whether it is retried, renewed or failed; and the same errors in Microsoft Graph's words.
 */
import {
  errorAnswer,
  gateClosedPastDeadline,
  GRAPH_WORDING,
  inGraphWords,
  invalidAnswer,
  networkFailure,
  PARTNER_CENTER_WORDING,
  throttledAnswer,
} from "../../../provider/src/client/core/classify";
import type { Attempt } from "../../../provider/src/client/core/retry";
import {
  ApiError,
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  ListTooLargeError,
  MfaRequiredError,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  ResponseValidationError,
  ThrottledError,
  type ErrorContext,
} from "../../../provider/src/errors";

const CTX: ErrorContext = {
  requestId: "5b1f0c2e-0000-4000-8000-000000000001",
  correlationId: "5b1f0c2e-0000-4000-8000-000000000002",
  operation: "GET /v1/customers/x",
  attempts: 2,
};
const FRESH = { renewable: true, renewed: false };

/** The attempt's kind and its error, typed. */
function split(a: Attempt<never>): { kind: string; error: PartnerCenterError } {
  if (a.kind === "ok") throw new Error("expected an error outcome");
  return { kind: a.kind, error: a.error };
}

/** errorAnswer for `status`, with the answer's context and error body `extra`. */
function answer(status: number, extra: ErrorContext = {}, auth = FRESH) {
  return split(errorAnswer(status, { ...CTX, status, ...extra }, auth));
}

describe("errorAnswer: a non-2xx answer other than 429", () => {
  test("401 with code 900421 is MFA: failed, never renewed", () => {
    const { kind, error } = answer(401, { partnerCenterCode: "900421" });
    expect(kind).toBe("fail");
    expect(error).toBeInstanceOf(MfaRequiredError);
  });

  test("401 once, with a renewable token: one renewal", () => {
    const { kind, error } = answer(401);
    expect(kind).toBe("renew");
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).not.toBeInstanceOf(MfaRequiredError);
  });

  test("401 after a renewal: failed, pointing at the app's consent and the refresh token's user", () => {
    const { kind, error } = answer(401, {}, { renewable: true, renewed: true });
    expect(kind).toBe("fail");
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.action).toContain("partnercenter:clientId");
    expect(error.action).toContain("refresh token");
  });

  test("401 with a fixed access token: failed at once, pointing at the access token setting", () => {
    const { kind, error } = answer(401, {}, { renewable: false, renewed: false });
    expect(kind).toBe("fail");
    expect(error.action).toContain("partnercenter:accessToken");
    expect(error.action).toContain("https://api.partnercenter.microsoft.com");
  });

  test("403 with code 20002: no relationship, so not found", () => {
    const { kind, error } = answer(403, { partnerCenterCode: "20002" });
    expect(kind).toBe("fail");
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain("no relationship");
  });

  test("403 with code 900150: permission denied, naming the Admin agent role and the consent", () => {
    const { kind, error } = answer(403, { partnerCenterCode: "900150" });
    expect(kind).toBe("fail");
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.action).toContain("Admin agent role");
    expect(error.action).toContain("Secure Application Model");
  });

  test("403 with another code: permission denied, asking for an App+User token", () => {
    const { error } = answer(403, { partnerCenterCode: "1002" });
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.action).toContain("App+User");
    expect(error.partnerCenterCode).toBe("1002");
  });

  test("404: not found", () => {
    const { kind, error } = answer(404);
    expect(kind).toBe("fail");
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
  });

  test.each([500, 502, 503])("%i: retried, and the change may have been applied", (status) => {
    const { kind, error } = answer(status);
    expect(kind).toBe("retry");
    expect(error).toBeInstanceOf(ApiError);
    expect(error.mayHaveApplied).toBe(true);
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.action).toContain("retry later");
  });

  test.each([400, 409, 412])("%i: failed, not applied, the service's description says why", (status) => {
    const { kind, error } = answer(status, { partnerCenterDescription: "Invalid property." });
    expect(kind).toBe("fail");
    expect(error).toBeInstanceOf(ApiError);
    expect(error.mayHaveApplied).toBe(false);
    expect(error.partnerCenterDescription).toBe("Invalid property.");
  });

  test("a 4xx after an attempt that may have been applied still says so", () => {
    const { error } = answer(409, { mayHaveApplied: true });
    expect(error.mayHaveApplied).toBe(true);
  });

  test("the answer's ids, operation and attempts are carried into the error", () => {
    const { error } = answer(404);
    expect(error).toMatchObject({
      requestId: CTX.requestId,
      correlationId: CTX.correlationId,
      operation: CTX.operation,
      attempts: 2,
    });
  });
});

describe("throttledAnswer: a 429", () => {
  test("a wait within the deadline: retried after exactly that wait", () => {
    const a = throttledAnswer(CTX, { partnerCenterCode: "429" }, 1_500, 60_000);
    expect(a).toMatchObject({ kind: "retry", retryAfterMs: 1_500 });
    const { error } = split(a);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(2);
    expect(error.message).toContain("HTTP 429, wait 2 s");
    expect(error.partnerCenterCode).toBe("429");
    expect(error.action).toContain("partnercenter:maxRequestsPerMinute");
  });

  test("a wait past the deadline: failed now, naming the wait and what was left", () => {
    const a = throttledAnswer(CTX, undefined, 86_400_000, 4_200);
    expect(a.kind).toBe("fail");
    const { error } = split(a);
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(86_400);
    expect(error.message).toContain("asked to wait 86400 s; that is past this request's deadline (5 s left)");
  });

  test("a wait equal to what is left is still waited", () => {
    expect(throttledAnswer(CTX, undefined, 5_000, 5_000).kind).toBe("retry");
  });
});

test("gateClosedPastDeadline: failed now, naming the scope held by an earlier Retry-After", () => {
  const customer = split(gateClosedPastDeadline(CTX, 30_000, 10_000, true));
  expect(customer.kind).toBe("fail");
  expect(customer.error).toBeInstanceOf(ThrottledError);
  expect((customer.error as ThrottledError).retryAfterSeconds).toBe(30);
  expect(customer.error.message).toContain("wait 30 s before more requests for this customer");
  expect(customer.error.message).toContain("(10 s left)");
  const partner = split(gateClosedPastDeadline(CTX, 30_000, 10_000, false));
  expect(partner.error.message).toContain("before more requests of this partner");
});

test("invalidAnswer: a 2xx that cannot be read fails as a validation error that may have been applied", () => {
  const { kind, error } = split(invalidAnswer(CTX, "bad shape", ["items.0.id: Required"]));
  expect(kind).toBe("fail");
  expect(error).toBeInstanceOf(ResponseValidationError);
  expect(error.mayHaveApplied).toBe(true);
  expect((error as ResponseValidationError).issues).toEqual(["items.0.id: Required"]);
  expect(error.action).toContain("MS-CorrelationId");
  expect((split(invalidAnswer(CTX, "not JSON")).error as ResponseValidationError).issues).toEqual([]);
  // A read changed nothing; a write whose answer could not be read may have: never "nothing was changed" then.
  expect(error.action).toMatch(/Nothing was changed/);
  const write = split(invalidAnswer({ ...CTX, operation: "PATCH /v1/customers/x" }, "bad shape")).error;
  expect(write.action).toMatch(/the change may have been applied\. Run `pulumi refresh`/);
  expect(write.action).not.toMatch(/Nothing was changed/);
});

describe("networkFailure: no answer", () => {
  const ORIGIN = "https://api.partnercenter.microsoft.com";
  const coded = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

  test.each(["ECONNRESET", "ECONNREFUSED", "UND_ERR_SOCKET"])("%s is retried", (code) => {
    const { kind, error } = split(networkFailure(coded(code), CTX, false, 60_000, ORIGIN));
    expect(kind).toBe("retry");
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(`failed (${code})`);
  });

  test.each(["ENOTFOUND", "EAI_AGAIN", "ERR_TLS_CERT_ALTNAME_INVALID"])(
    "%s (a host that cannot be resolved or is not the one asked for) fails at once",
    (code) => {
      expect(networkFailure(coded(code), CTX, false, 60_000, ORIGIN).kind).toBe("fail");
    },
  );

  test("a timeout names the attempt's limit; every failure may have been applied and names the endpoint", () => {
    const { kind, error } = split(networkFailure(new Error("aborted"), CTX, true, 1_234, ORIGIN));
    expect(kind).toBe("retry");
    expect(error.message).toContain("did not answer within 1234 ms");
    expect(error.mayHaveApplied).toBe(true);
    expect(error.action).toContain(ORIGIN);
    expect(error.action).toContain("partnercenter:endpoint");
    expect((error.cause as { message: string }).message).toBe("aborted");
  });
});

describe("in Microsoft Graph's words", () => {
  const WHAT = "terminate the relationship";
  const GRAPH_CTX: ErrorContext = { ...CTX, mayHaveApplied: true, attempts: 3 };

  test("Partner Center's wording leaves every error as it is", () => {
    const e = new NotFoundError("x", CTX);
    expect(PARTNER_CENTER_WORDING.word(e, WHAT)).toBe(e);
  });

  test("the same class and exchange fields, Graph's summary, the service's code named as Graph's", () => {
    const e = new ApiError("Partner Center answered HTTP 400.", {
      ...GRAPH_CTX,
      status: 400,
      partnerCenterCode: "badRequest",
      partnerCenterDescription: "Invalid value.",
    });
    const g = GRAPH_WORDING.word(e, WHAT) as ApiError;
    expect(g).toBeInstanceOf(ApiError);
    expect(g).not.toBe(e);
    expect(g.message).toMatch(/^Microsoft Graph could not terminate the relationship \(HTTP 400\)\./);
    expect(g.message).toContain("Microsoft Graph error code badRequest");
    expect(g.message).not.toContain("Partner Center");
    expect(g).toMatchObject({
      status: 400,
      partnerCenterCode: "badRequest",
      partnerCenterDescription: "Invalid value.",
      requestId: GRAPH_CTX.requestId,
      correlationId: GRAPH_CTX.correlationId,
      operation: GRAPH_CTX.operation,
      attempts: 3,
      mayHaveApplied: true,
    });
    expect(g.action).toContain("Microsoft Graph rejected the request");
  });

  test.each([
    [412, "etag"],
    [503, "Microsoft Graph failed; retry later"],
  ])("HTTP %i: its own next step", (status, action) => {
    const g = inGraphWords(new ApiError("x", { status }), WHAT) as ApiError;
    expect(g.action).toContain(action);
  });

  test("throttled: the wait is kept, the next step is Graph's", () => {
    const g = inGraphWords(new ThrottledError("x", { status: 429, retryAfterSeconds: 7 }), WHAT);
    expect(g).toBeInstanceOf(ThrottledError);
    expect((g as ThrottledError).retryAfterSeconds).toBe(7);
    expect((g as ThrottledError).action).toContain("Graph is throttling this app");
  });

  test("each class keeps its class and gets Graph's next step", () => {
    const cases: [PartnerCenterError, new (...a: never[]) => PartnerCenterError, string][] = [
      [
        new AuthenticationError("x", { status: 401 }),
        AuthenticationError,
        "DelegatedAdminRelationship.ReadWrite.All",
      ],
      [new PermissionDeniedError("x", { status: 403 }), PermissionDeniedError, "Admin agent role"],
      [new NotFoundError("x", { status: 404 }), NotFoundError, "removed outside Pulumi"],
      [new ConnectionError("x"), ConnectionError, "partnercenter:graphEndpoint"],
    ];
    for (const [e, cls, action] of cases) {
      const g = inGraphWords(e, WHAT) as PartnerCenterError;
      expect(g).toBeInstanceOf(cls);
      expect(g.message).toContain("Microsoft Graph could not terminate the relationship");
      expect(g.action).toContain(action);
    }
  });

  test("an unreadable answer to a write may have been applied; to a read, nothing was changed", () => {
    const issues = ["value: Required"];
    const write = inGraphWords(
      new ResponseValidationError("x", { operation: "POST /v1.0/x", issues }),
      WHAT,
    ) as ResponseValidationError;
    expect(write).toBeInstanceOf(ResponseValidationError);
    expect(write.issues).toEqual(issues);
    expect(write.action).toContain("the request may have been applied");
    const read = inGraphWords(
      new ResponseValidationError("x", { operation: "GET /v1.0/x", issues }),
      WHAT,
    ) as ResponseValidationError;
    expect(read.action).toContain("Nothing was changed");
  });

  test("left as they are: configuration, a list bound, MFA, and anything not ours", () => {
    const left = [
      new ConfigurationError("x"),
      new ListTooLargeError("maxListItems", 10, "/x", {}),
      new MfaRequiredError({ status: 401 }),
      new Error("plain"),
      "a string",
    ];
    for (const e of left) expect(inGraphWords(e, WHAT)).toBe(e);
  });
});
