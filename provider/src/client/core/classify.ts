/**
 * Error mapping: what an answer (status and error body) or a failure to get one means, as a typed error and
 * whether it may be retried ({@link Attempt}). Pure: no I/O, no state; the transport decides what to do next.
 */
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
  exchangeOf,
  type ErrorContext,
} from "../../errors";
import { GRAPH_RESOURCE, settingName } from "../../settings";
import type { Attempt } from "./retry";

/** The error body's code and description (body.ts `readError`), when there was one. */
export type ErrorBody = { partnerCenterCode?: string; partnerCenterDescription?: string } | undefined;

const THROTTLED_ACTION = `Retry later. If other tools share the partner's Partner Center quota, set ${settingName("maxRequestsPerMinute")} below the limit to leave them room, or lower ${settingName("maxConcurrency")}.`;

export const VALIDATION_ACTION =
  "This is unexpected: report it with the MS-CorrelationId. Nothing was changed on the basis of this answer.";

/** A wait for messages: "86400 s". */
function seconds(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))} s`;
}

/** The scope's gate is closed past this request's deadline (an earlier Retry-After): fail now. */
export function gateClosedPastDeadline(
  ctx: ErrorContext,
  waitMs: number,
  leftMs: number,
  perCustomer: boolean,
): Attempt<never> {
  const error = new ThrottledError(
    `Partner Center asked to wait ${seconds(waitMs)} before more requests ${perCustomer ? "for this customer" : "of this partner"} (an earlier Retry-After); that is past this request's deadline (${seconds(leftMs)} left).`,
    { ...ctx, retryAfterSeconds: Math.ceil(waitMs / 1000), action: THROTTLED_ACTION },
  );
  return { kind: "fail", error };
}

/** A 429: retried after `waitMs`, or failed at once when that is past the deadline. */
export function throttledAnswer(
  ctx: ErrorContext,
  errBody: ErrorBody,
  waitMs: number,
  leftMs: number,
): Attempt<never> {
  const tooLong = waitMs > leftMs;
  const error = new ThrottledError(
    tooLong
      ? `Partner Center is throttling requests (HTTP 429) and asked to wait ${seconds(waitMs)}; that is past this request's deadline (${seconds(leftMs)} left), so it fails now.`
      : `Partner Center is throttling requests (HTTP 429, wait ${seconds(waitMs)}).`,
    {
      ...ctx,
      ...errBody,
      retryAfterSeconds: Math.ceil(waitMs / 1000),
      action: THROTTLED_ACTION,
    },
  );
  return tooLong ? { kind: "fail", error } : { kind: "retry", retryAfterMs: waitMs, error };
}

/** A clear refusal (a 4xx but 408 and 429) was not applied; any other failure of a write may have been. */
export function isRefusal(e: unknown): boolean {
  const status = e instanceof PartnerCenterError ? e.status : undefined;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** What to do after a write whose 2xx answer could not be read: it may have been applied. */
const WRITE_VALIDATION_ACTION =
  "Partner Center answered, but its answer could not be read: the change may have been applied. Run `pulumi refresh` to see what Partner Center shows now, and report the answer with the MS-CorrelationId.";

/**
 * A 2xx whose body could not be read as JSON, or did not have the documented shape. For a write the change
 * may have been made, and the advice says so; a read changed nothing.
 */
export function invalidAnswer(ctx: ErrorContext, message: string, issues?: string[]): Attempt<never> {
  const write = !/^GET /.test(ctx.operation ?? "GET ");
  return {
    kind: "fail",
    error: new ResponseValidationError(message, {
      ...ctx,
      ...(issues ? { issues } : {}),
      mayHaveApplied: true,
      action: write ? WRITE_VALIDATION_ACTION : VALIDATION_ACTION,
    }),
  };
}

/**
 * A non-2xx answer other than 429. `renewable`: a 401 may be cured by one new token (not after a renewal,
 * nor for MFA's 900421, nor for a static access token).
 */
export function errorAnswer(
  status: number,
  full: ErrorContext,
  auth: { renewable: boolean; renewed: boolean },
): Attempt<never> {
  const pcCode = full.partnerCenterCode;
  if (status === 401) {
    if (pcCode === "900421") return { kind: "fail", error: new MfaRequiredError(full) };
    if (!auth.renewed && auth.renewable) {
      return { kind: "renew", error: new AuthenticationError("Partner Center refused the token.", full) };
    }
    return {
      kind: "fail",
      error: new AuthenticationError("Partner Center refused the access token (HTTP 401).", {
        ...full,
        action: auth.renewable
          ? `A new token from the refresh token was refused too. Check that the app registration (${settingName("clientId")}) is consented for Partner Center in tenant ${settingName("tenantId")}, and that the refresh token belongs to a user with access to Partner Center.`
          : `Check ${settingName("accessToken")}: it may be expired, or issued for another resource than ${"https://api.partnercenter.microsoft.com"}. Or set the refresh-token settings instead so tokens are renewed.`,
      }),
    };
  }
  if (status === 403 && pcCode === "20002") {
    return {
      kind: "fail",
      error: new NotFoundError(
        "The partner has no relationship with this customer (Partner Center code 20002).",
        {
          ...full,
          action: "Check the customer id; the relationship may have been removed already.",
        },
      ),
    };
  }
  if (status === 403) {
    return {
      kind: "fail",
      error: new PermissionDeniedError("Partner Center denied this call (HTTP 403).", {
        ...full,
        action:
          pcCode === "900150"
            ? "The signed-in user needs the Admin agent role in Partner Center: obtain the refresh token (Secure Application Model consent) as a user with that role."
            : "This call needs an App+User token from a user with the Admin agent role; check the roles of the user behind the refresh token.",
      }),
    };
  }
  if (status === 404) {
    return {
      kind: "fail",
      error: new NotFoundError("Partner Center has no such resource (HTTP 404).", {
        ...full,
        action: "Check the id; the customer or subscription may have been removed from this partner.",
      }),
    };
  }
  const error = new ApiError(`Partner Center answered HTTP ${status}.`, {
    ...full,
    // A 5xx does not say whether the change was made before the failure.
    mayHaveApplied: full.mayHaveApplied || status >= 500,
    action:
      status >= 500
        ? "Partner Center failed; retry later. If it persists, contact Microsoft support with the MS-CorrelationId."
        : "Partner Center rejected the request; its description says why.",
  });
  return status >= 500 ? { kind: "retry", error } : { kind: "fail", error };
}

/** No answer: a connection failure or the attempt's timeout. Retried, unless the host cannot be resolved. */
export function networkFailure(
  e: unknown,
  ctx: ErrorContext,
  timedOut: boolean,
  attemptTimeoutMs: number,
  origin: string,
): Attempt<never> {
  const code = (e as { code?: unknown }).code;
  const permanent = code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ERR_TLS_CERT_ALTNAME_INVALID";
  const error = new ConnectionError(
    timedOut
      ? `Partner Center did not answer within ${attemptTimeoutMs} ms.`
      : `The connection to Partner Center failed${typeof code === "string" ? ` (${code})` : ""}.`,
    {
      ...ctx,
      // No answer: the request may have reached the service and been applied.
      mayHaveApplied: true,
      cause: e,
      action: `Check network access to ${origin} (${settingName("endpoint")}), then retry.`,
    },
  );
  return permanent ? { kind: "fail", error } : { kind: "retry", error };
}

// ------------------------------------------------------------------------------------------ per service

/**
 * The per-service seam of error wording. Answers are classified once (above: status and error body to a typed
 * error, and whether it is retried); a service other than Partner Center words the final error in its own
 * terms, with the same class and fields (attempts, whether a write may have been applied, the issues).
 */
export interface ErrorWording {
  /** The error of a failed call, in this service's words. `what`: the call, e.g. "terminate the relationship". */
  word(e: unknown, what: string): unknown;
}

/** Partner Center: the classification's own words. */
export const PARTNER_CENTER_WORDING: ErrorWording = { word: (e) => e };

/** Microsoft Graph: "Microsoft Graph could not <what>", and Graph's next step. */
export const GRAPH_WORDING: ErrorWording = { word: (e, what) => inGraphWords(e, what) };

/**
 * A typed error in Microsoft Graph's words: same class and fields, Graph's summary and next step. A
 * configuration error, a list bound (its message names the bound and the option) and MFA are left as they are.
 */
export function inGraphWords(e: unknown, what: string): unknown {
  if (
    !(e instanceof PartnerCenterError) ||
    e instanceof ConfigurationError ||
    e instanceof ListTooLargeError ||
    e.code === "PPC_MFA_REQUIRED"
  ) {
    return e;
  }
  const ctx: ErrorContext = {
    ...exchangeOf(e),
    service: "graph",
    // Whether a write may have been applied decides whether a later answer is checked with a read.
    mayHaveApplied: e.mayHaveApplied,
    cause: e,
  };
  const summary = `Microsoft Graph could not ${what}${e.status !== undefined ? ` (HTTP ${e.status})` : ""}.`;
  if (e instanceof ThrottledError) {
    return new ThrottledError(summary, {
      ...ctx,
      retryAfterSeconds: e.retryAfterSeconds,
      action: `Graph is throttling this app; retry later, or lower ${settingName("maxConcurrency")}.`,
    });
  }
  if (e instanceof AuthenticationError) {
    return new AuthenticationError(summary, {
      ...ctx,
      action: `Microsoft Graph refused the token for ${GRAPH_RESOURCE}: the Secure Application Model consent for ${settingName("clientId")} must include the delegated permission DelegatedAdminRelationship.ReadWrite.All; consent again, then retry.`,
    });
  }
  if (e instanceof PermissionDeniedError) {
    return new PermissionDeniedError(summary, {
      ...ctx,
      action:
        "The user behind the refresh token needs the Admin agent role in the partner tenant, and the app the DelegatedAdminRelationship.ReadWrite.All permission.",
    });
  }
  if (e instanceof NotFoundError) {
    return new NotFoundError(summary, {
      ...ctx,
      action: "Check the id: the relationship or assignment may have been removed outside Pulumi.",
    });
  }
  if (e instanceof ConnectionError) {
    return new ConnectionError(summary, {
      ...ctx,
      action: `Check network access to Microsoft Graph (${settingName("graphEndpoint")}), then retry.`,
    });
  }
  if (e instanceof ResponseValidationError) {
    // A write whose answer could not be read may have been applied: never say "nothing was changed" then.
    const write = !/^GET /.test(e.operation ?? "GET ");
    return new ResponseValidationError(summary, {
      ...ctx,
      issues: e.issues,
      action: write
        ? "Microsoft Graph answered, but its answer could not be read: the request may have been applied. Report it with the request id."
        : "This is unexpected: report it with the request id. Nothing was changed on this answer.",
    });
  }
  if (e instanceof ApiError) {
    return new ApiError(summary, {
      ...ctx,
      action:
        e.status === 412
          ? "The object changed since it was read (etag); run `pulumi refresh`, then the command again."
          : e.status !== undefined && e.status >= 500
            ? "Microsoft Graph failed; retry later."
            : "Microsoft Graph rejected the request; its message says why.",
    });
  }
  return e;
}
