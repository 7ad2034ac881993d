/**
 * Typed errors. One base class with a stable `code`; subclasses by what the user must do.
 *
 * `instanceof` works across duplicate copies of this package (two versions under node_modules, or the
 * copy loaded by the Pulumi provider host next to the program's copy) through a `Symbol.for` marker,
 * as undici does for its errors.
 *
 * Every message goes through {@link redact}: no token, secret or Authorization header ever reaches an
 * error, whatever the service or a library put in the text.
 */
import { printable, printableLines, redact } from "./redact";

export { MIN_SECRET_LENGTH, printable, redact, redactAndTruncate, registerSecret } from "./redact";

const MARK = Symbol.for("pulumi-partner-center.error");

/** Stable error codes: match on these, not on messages. */
export type ErrorCode =
  | "PPC_CONFIGURATION"
  | "PPC_AUTHENTICATION"
  | "PPC_MFA_REQUIRED"
  | "PPC_PERMISSION_DENIED"
  | "PPC_NOT_FOUND"
  | "PPC_THROTTLED"
  | "PPC_API"
  | "PPC_REMOVAL_BLOCKED"
  | "PPC_REMOVAL_UNCONFIRMED"
  | "PPC_REMOVAL_REFUSED"
  | "PPC_REMOVAL_NOT_PERMITTED"
  | "PPC_CHANGE_NOT_APPLIED"
  | "PPC_RELATIONSHIP_NOT_ESTABLISHED"
  | "PPC_RESPONSE_VALIDATION"
  | "PPC_CONNECTION";

/** What a failed exchange with Partner Center told us. Every field is optional: a connection error has no status. */
export interface ErrorContext {
  /** HTTP status of the last response. */
  status?: number | undefined;
  /**
   * The service that answered, for the words of the message: Partner Center unless `"graph"` (Microsoft Graph,
   * whose error codes are words such as `serviceNotAvailable`).
   */
  service?: "partnerCenter" | "graph" | undefined;
  /** Partner Center's own error code (`code` in the error body), e.g. `"20002"` or `"900421"`. */
  partnerCenterCode?: string | undefined;
  /** Partner Center's `description` from the error body. */
  partnerCenterDescription?: string | undefined;
  /** The MS-RequestId we sent (the idempotency key of the logical request). */
  requestId?: string | undefined;
  /** The MS-CorrelationId we sent and the service echoed. */
  correlationId?: string | undefined;
  /** `GET /v1/customers/...`: method and path, never a query string with credentials. */
  operation?: string | undefined;
  /** What the user should do next. */
  action?: string | undefined;
  /** Attempts sent for this logical request (retries included), when the transport knows. */
  attempts?: number | undefined;
  /**
   * True when an attempt of this logical request may have been applied by the service although no success was
   * read: it got no answer (reset, timeout) or a 5xx. A refusal of a later retry does not undo that.
   */
  mayHaveApplied?: boolean | undefined;
  /** The underlying error, redacted when it is rendered. */
  cause?: unknown;
}

function describe(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.operation) parts.push(ctx.operation);
  if (ctx.status !== undefined) parts.push(`HTTP ${ctx.status}`);
  if (ctx.partnerCenterCode !== undefined)
    parts.push(
      `${ctx.service === "graph" ? "Microsoft Graph error code" : "Partner Center code"} ${printable(ctx.partnerCenterCode)}`,
    );
  if (ctx.partnerCenterDescription) parts.push(`"${printable(ctx.partnerCenterDescription)}"`);
  if (ctx.requestId) parts.push(`MS-RequestId ${ctx.requestId}`);
  if (ctx.correlationId) parts.push(`MS-CorrelationId ${printable(ctx.correlationId)}`);
  return parts.length ? ` [${parts.join("; ")}]` : "";
}

/** What an error told about its exchange (status, codes, ids, operation, attempts), to carry into another. */
export function exchangeOf(e: PartnerCenterError): ErrorContext {
  return {
    status: e.status,
    partnerCenterCode: e.partnerCenterCode,
    partnerCenterDescription: e.partnerCenterDescription,
    requestId: e.requestId,
    correlationId: e.correlationId,
    operation: e.operation,
    attempts: e.attempts,
  };
}

/** Base class of every error this package throws. */
export class PartnerCenterError extends Error {
  /** The class name that `instanceof` checks against across package copies. */
  static readonly errorName: string = "PartnerCenterError";
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly partnerCenterCode: string | undefined;
  readonly partnerCenterDescription: string | undefined;
  readonly requestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly operation: string | undefined;
  /** What the user should do next (also part of `message`). */
  readonly action: string | undefined;
  /** Attempts sent for this logical request (retries included), when known. */
  readonly attempts: number | undefined;
  /** An attempt of this request may have been applied (see {@link ErrorContext.mayHaveApplied}). */
  readonly mayHaveApplied: boolean;
  declare readonly [MARK]: readonly string[];

  constructor(code: ErrorCode, summary: string, ctx: ErrorContext = {}) {
    const action = ctx.action;
    // Callers pass service text through printable(); this is the net under it (their own line breaks kept).
    super(printableLines(redact(`${summary}${action ? ` ${action}` : ""}${describe(ctx)}`)));
    this.code = code;
    this.status = ctx.status;
    // The code and the correlation id come from the service (body, header) and are kept as fields that
    // toJSON() and util.inspect show: redacted like the message, in case the service echoes a credential.
    this.partnerCenterCode = ctx.partnerCenterCode === undefined ? undefined : redact(ctx.partnerCenterCode);
    this.partnerCenterDescription =
      ctx.partnerCenterDescription === undefined ? undefined : redact(ctx.partnerCenterDescription);
    this.requestId = ctx.requestId;
    this.correlationId = ctx.correlationId === undefined ? undefined : redact(ctx.correlationId);
    this.operation = ctx.operation;
    this.action = action;
    this.attempts = ctx.attempts;
    this.mayHaveApplied = ctx.mayHaveApplied ?? false;
    if (ctx.cause !== undefined) {
      const c = ctx.cause;
      // Keep the cause's message (redacted), not the object: a library error may hold request options.
      Object.defineProperty(this, "cause", {
        value:
          c instanceof Error
            ? { name: c.name, message: redact(c.message), code: codeOf(c) }
            : redact(String(c)),
        enumerable: false,
      });
    }
    const names: string[] = [];
    for (
      let k = new.target as unknown as { errorName?: string };
      k?.errorName;
      k = Object.getPrototypeOf(k)
    ) {
      names.push(k.errorName);
    }
    Object.defineProperty(this, MARK, { value: names, enumerable: false });
    this.name = (new.target as unknown as { errorName: string }).errorName;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const marks = (value as { [MARK]?: unknown } | null | undefined)?.[MARK];
    return Array.isArray(marks) && marks.includes(this.errorName);
  }

  /** A plain object safe to log or serialise: no cause, no headers. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      partnerCenterCode: this.partnerCenterCode,
      requestId: this.requestId,
      correlationId: this.correlationId,
    };
  }
}

function codeOf(e: Error): string | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === "string" ? c : undefined;
}

/** A setting is missing or invalid. Nothing was sent. */
export class ConfigurationError extends PartnerCenterError {
  static override readonly errorName: string = "ConfigurationError";
  constructor(summary: string, ctx: ErrorContext = {}) {
    super("PPC_CONFIGURATION", summary, ctx);
  }
}

/** The token endpoint refused the grant, or Partner Center answered 401. */
export class AuthenticationError extends PartnerCenterError {
  static override readonly errorName: string = "AuthenticationError";
  constructor(summary: string, ctx: ErrorContext = {}, code: ErrorCode = "PPC_AUTHENTICATION") {
    super(code, summary, ctx);
  }
}

/** HTTP 401 with Partner Center code 900421: the App+User token was not obtained with MFA (required since April 2026). */
export class MfaRequiredError extends AuthenticationError {
  static override readonly errorName: string = "MfaRequiredError";
  constructor(ctx: ErrorContext = {}) {
    super(
      "Partner Center requires multi-factor authentication for App+User calls (error 900421).",
      {
        action:
          "Obtain a new refresh token through the Secure Application Model consent flow, signing in with MFA, and store it in partnercenter:refreshToken (secret) or PARTNER_CENTER_REFRESH_TOKEN.",
        ...ctx,
      },
      "PPC_MFA_REQUIRED",
    );
  }
}

/** HTTP 403 other than "no relationship": the signed-in user or app lacks a role. */
export class PermissionDeniedError extends PartnerCenterError {
  static override readonly errorName: string = "PermissionDeniedError";
  constructor(summary: string, ctx: ErrorContext = {}) {
    super("PPC_PERMISSION_DENIED", summary, ctx);
  }
}

/** HTTP 404, or 403 with code 20002 (no relationship between partner and customer). */
export class NotFoundError extends PartnerCenterError {
  static override readonly errorName: string = "NotFoundError";
  constructor(summary: string, ctx: ErrorContext = {}) {
    super("PPC_NOT_FOUND", summary, ctx);
  }
}

/** HTTP 429 still answered after every retry the deadline allowed. */
export class ThrottledError extends PartnerCenterError {
  static override readonly errorName: string = "ThrottledError";
  /** The last Retry-After the service sent, in seconds. */
  readonly retryAfterSeconds: number | undefined;
  constructor(summary: string, ctx: ErrorContext & { retryAfterSeconds?: number | undefined } = {}) {
    super("PPC_THROTTLED", summary, ctx);
    this.retryAfterSeconds = ctx.retryAfterSeconds;
  }
}

/** Any other HTTP error status (400, 409, 5xx after retries...). */
export class ApiError extends PartnerCenterError {
  static override readonly errorName: string = "ApiError";
  constructor(summary: string, ctx: ErrorContext = {}) {
    super("PPC_API", summary, ctx);
  }
}

/** The request worked but the data did not match what Partner Center documents (or was too large). */
export class ResponseValidationError extends PartnerCenterError {
  static override readonly errorName: string = "ResponseValidationError";
  /** Where the data differed, as `path: problem` lines. */
  readonly issues: readonly string[];
  constructor(summary: string, ctx: ErrorContext & { issues?: readonly string[] } = {}) {
    super("PPC_RESPONSE_VALIDATION", summary, ctx);
    this.issues = ctx.issues ?? [];
  }
}

/** A list went past one of its bounds (client option `limits`): nothing was judged on it. */
export class ListTooLargeError extends ResponseValidationError {
  static override readonly errorName: string = "ListTooLargeError";
  /** The bound that was passed. */
  readonly bound: "maxListItems" | "maxListBytes";
  readonly limit: number;
  constructor(bound: "maxListItems" | "maxListBytes", limit: number, path: string, ctx: ErrorContext) {
    super(
      `Partner Center's list ${path} went past ${limit} ${bound === "maxListItems" ? "items" : "bytes"} (the ${bound} bound); it was not read further and nothing was judged on it.`,
      {
        ...ctx,
        action: `If this customer really has that many, raise the bound with the client option limits.${bound} (new PartnerCenterClient(settings, { limits: { ${bound}: ... } })); otherwise report it with the MS-CorrelationId.`,
      },
    );
    this.bound = bound;
    this.limit = limit;
  }
}

/** The request never got an answer: DNS, TLS, refused or reset connection, timeout. */
export class ConnectionError extends PartnerCenterError {
  static override readonly errorName: string = "ConnectionError";
  constructor(summary: string, ctx: ErrorContext = {}) {
    super("PPC_CONNECTION", summary, ctx);
  }
}

/**
 * One thing that prevents removing a reseller relationship. `kind` "entitlement" is an entitlement of a type
 * that is neither software nor a reservation: unknown, so it blocks until someone checks it (fail closed).
 * `id`, `name` and `status` are as the service sent them (raw: format with `printable` before showing).
 */
export interface RemovalBlocker {
  kind: "subscription" | "reservedInstance" | "entitlement";
  id: string;
  name: string;
  status: string;
  /** The rule that decided it blocks, e.g. `status active blocks removal`. */
  rule: string;
  /** What it is, for the next step: see {@link BlockerClass}. Optional: older states lack it. */
  class?: BlockerClass;
  /** What to do about it, in one sentence, naming the opt-in that clears it when there is one. */
  nextStep?: string;
  /** The date that matters (ISO 8601, as Partner Center sent it); see {@link RemovalBlocker.dateMeaning}. */
  date?: string;
  /** What {@link RemovalBlocker.date} is. */
  dateMeaning?: BlockerDateMeaning;
}

/**
 * The classes of removal blockers (relationship.ts `findBlockers`):
 * - `legacyActive`: an active legacy subscription: suspend it (`suspendActiveSubscriptions`).
 * - `newCommerceCancellable`: an active or suspended new-commerce (or software) subscription inside its
 *   cancellation window: cancel it before `date` (`cancelNewCommerceSubscriptionsInWindow`). A suspended one
 *   still bills and still blocks: it must be cancelled, not suspended.
 * - `newCommerceLocked`: an active or suspended new-commerce subscription outside its window: it blocks until its
 *   term ends (`date`); turn off auto-renew so that it ends then.
 * - `azurePlan`: an active Azure plan: cancel its Azure subscriptions, then suspend it.
 * - `reservedInstance`: a live Azure reservation (an entitlement, or an Azure reservation subscription): Azure
 *   support cancels it.
 * - `savingsPlan`: an active Azure savings plan: it cannot be cancelled at all ("All savings plan purchases are
 *   final"); it blocks until its term ends (`date`).
 * - `azureUndetermined`: productType `Azure` that the data does not tell apart (plan, savings plan or
 *   reservation): blocks until a person checks it.
 * - `commerceUndetermined`: an active subscription that is neither clearly legacy nor clearly new commerce.
 * - `pending`: a subscription still being provisioned.
 * - `unknownStatus`: a status not known to be inactive.
 * - `unknownEntitlement`: an entitlement of a type this provider does not know.
 */
export type BlockerClass =
  | "legacyActive"
  | "newCommerceCancellable"
  | "newCommerceLocked"
  | "azurePlan"
  | "reservedInstance"
  | "savingsPlan"
  | "azureUndetermined"
  | "commerceUndetermined"
  | "pending"
  | "unknownStatus"
  | "unknownEntitlement";

/** `cancellationDeadline`: last date to cancel; `termEnd`: the term's end; `expiry`: a reservation's expiry. */
export type BlockerDateMeaning = "cancellationDeadline" | "termEnd" | "expiry";

/** Removal refused before anything was changed: reserved instances or active subscriptions remain. */
export class RemovalBlockedError extends PartnerCenterError {
  static override readonly errorName: string = "RemovalBlockedError";
  readonly customerId: string;
  readonly blockers: readonly RemovalBlocker[];
  constructor(
    summary: string,
    customerId: string,
    blockers: readonly RemovalBlocker[],
    ctx: ErrorContext = {},
  ) {
    super("PPC_REMOVAL_BLOCKED", summary, ctx);
    this.customerId = customerId;
    this.blockers = blockers;
  }
}

/** The relationship PATCH was sent but the service did not confirm `none` and the customer is still there. */
export class RemovalUnconfirmedError extends PartnerCenterError {
  static override readonly errorName: string = "RemovalUnconfirmedError";
  constructor(summary: string, ctx: ErrorContext = {}) {
    super("PPC_REMOVAL_UNCONFIRMED", summary, ctx);
  }
}

/** The customer has no reseller relationship with the partner: the invitation link says how to get one. */
export class RelationshipNotEstablishedError extends PartnerCenterError {
  static override readonly errorName: string = "RelationshipNotEstablishedError";
  readonly customerId: string;
  readonly invitationUrl: string | undefined;
  constructor(
    summary: string,
    customerId: string,
    invitationUrl: string | undefined,
    ctx: ErrorContext = {},
  ) {
    super("PPC_RELATIONSHIP_NOT_ESTABLISHED", summary, ctx);
    this.customerId = customerId;
    this.invitationUrl = invitationUrl;
  }
}

/**
 * Partner Center refused the relationship PATCH on an attempt that was not applied, and a GET shows the
 * relationship still there. Carries Partner Center's status, code and description, and the next step. Nothing
 * was removed (subscriptions the provider suspended or cancelled first are named in the message).
 */
export class RemovalRefusedError extends PartnerCenterError {
  static override readonly errorName: string = "RemovalRefusedError";
  readonly customerId: string;
  constructor(
    summary: string,
    customerId: string,
    ctx: ErrorContext = {},
    code: ErrorCode = "PPC_REMOVAL_REFUSED",
  ) {
    super(code, summary, ctx);
    this.customerId = customerId;
  }
}

/**
 * Partner Center refused the relationship PATCH as not permitted for the signed-in account (HTTP 403 other than
 * 20002): an indirect reseller's account (indirect resellers cannot remove relationships: their indirect provider
 * must), or a user without the Admin agent or Sales agent role.
 */
export class RemovalNotPermittedError extends RemovalRefusedError {
  static override readonly errorName: string = "RemovalNotPermittedError";
  constructor(summary: string, customerId: string, ctx: ErrorContext = {}) {
    super(summary, customerId, ctx, "PPC_REMOVAL_NOT_PERMITTED");
  }
}

/**
 * A subscription change (suspend, cancel) that Partner Center answered with success, but whose subscription
 * does not show the status asked for, in the answer nor in a GET right after: the change did not take effect,
 * or not yet. Never recorded or reported as done.
 */
export class ChangeNotAppliedError extends PartnerCenterError {
  static override readonly errorName: string = "ChangeNotAppliedError";
  readonly subscriptionId: string;
  /** The status that was asked for (`suspended`, `deleted`). */
  readonly requestedStatus: string;
  /** The status Partner Center showed afterwards (lower-cased), or undefined when it could not be read. */
  readonly observedStatus: string | undefined;
  constructor(
    summary: string,
    subscriptionId: string,
    requestedStatus: string,
    observedStatus: string | undefined,
    ctx: ErrorContext = {},
  ) {
    super("PPC_CHANGE_NOT_APPLIED", summary, ctx);
    this.subscriptionId = subscriptionId;
    this.requestedStatus = requestedStatus;
    this.observedStatus = observedStatus;
  }
}
