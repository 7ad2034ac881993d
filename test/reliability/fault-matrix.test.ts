/**
 * The fault matrix: every fault the emulator can inject, crossed with every operation (create, read, delete,
 * delete with suspension, the readiness report). Each cell's expected outcome is written down in EXPECTED and
 * asserted, and so are the invariants that make unattended offboarding safe:
 *  - a delete reports success exactly when the emulator shows the relationship removed;
 *  - no PATCH is sent unless both lists were read completely;
 *  - no logical request changes state twice (one applied PATCH per MS-RequestId, one removal at most);
 *  - a delete that throws leaves the relationship in place unless it is RemovalUnconfirmed (then the
 *    resource stays in the stack and the next run re-checks: the host keeps a resource whose delete threw).
 *
 * Real HTTP on loopback against the emulator; the client has short retry delays so that the matrix is fast
 * (the retry logic is the same, only the waits shrink).
 */
import { PartnerCenterClient } from "../../provider/src/client";
import { startEmulator, SAMPLE_CUSTOMERS, type Emulator, type Fault } from "../../packages/emulator/src";
import { PartnerCenterError } from "../../provider/src/errors";
import { readinessReport } from "../../provider/src/cli/readiness";
import { adopt, assessReadiness, remove } from "../../provider/src/relationship";
import { loadSettings } from "../../provider/src/settings";

type Op = "create" | "read" | "delete" | "deleteSuspend" | "readiness";
const OPS: Op[] = ["create", "read", "delete", "deleteSuspend", "readiness"];
const CUSTOMER: Record<Op, string> = {
  create: SAMPLE_CUSTOMERS.clean,
  read: SAMPLE_CUSTOMERS.clean,
  delete: SAMPLE_CUSTOMERS.inactiveOnly,
  deleteSuspend: SAMPLE_CUSTOMERS.activeSubscriptions,
  readiness: SAMPLE_CUSTOMERS.clean,
};
/** The relationship PATCH only (not a subscription PATCH). */
const RELATIONSHIP_PATCH = "^/v1/customers/[0-9a-fA-F-]+$";

interface Row {
  name: string;
  /** Faults for the op's customer (match.customerId is added). */
  faults?: Fault[];
  before?: (e: Emulator) => void;
  /**
   * Expected outcome per op: "ok", "gone" (read: blank id / delete: already gone), or an error code; a list
   * when a seeded fault may land either way (each outcome in it must still satisfy the invariants below).
   */
  expect: Record<Op, string | string[]>;
}

const ALL_OK: Record<Op, string> = {
  create: "ok",
  read: "ok",
  delete: "ok",
  deleteSuspend: "ok",
  readiness: "ok",
};
const every = (code: string): Record<Op, string> => ({
  create: code,
  read: code,
  delete: code,
  deleteSuspend: code,
  readiness: code,
});

/** The matrix, as written down in SECURITY.md#reliability-and-security: fault x operation -> outcome. */
const MATRIX: Row[] = [
  {
    name: "429 with Retry-After, once",
    faults: [{ kind: "throttle", retryAfterSeconds: 1 }],
    expect: ALL_OK,
  },
  { name: "429 without Retry-After, once", faults: [{ kind: "status", status: 429 }], expect: ALL_OK },
  { name: "500, once", faults: [{ kind: "status", status: 500 }], expect: ALL_OK },
  { name: "502, once", faults: [{ kind: "status", status: 502 }], expect: ALL_OK },
  { name: "503, once", faults: [{ kind: "status", status: 503 }], expect: ALL_OK },
  { name: "504, once", faults: [{ kind: "status", status: 504 }], expect: ALL_OK },
  { name: "connection reset before applying, once", faults: [{ kind: "reset" }], expect: ALL_OK },
  { name: "connection reset after applying, once", faults: [{ kind: "resetAfterApply" }], expect: ALL_OK },
  {
    name: "slower than the attempt timeout, once",
    faults: [{ kind: "slow", delayMs: 1500 }],
    expect: ALL_OK,
  },
  { name: "expired token", before: (e) => void e.expireTokens(), expect: ALL_OK },
  {
    name: "malformed JSON, once",
    faults: [{ kind: "malformedJson" }],
    expect: every("PPC_RESPONSE_VALIDATION"),
  },
  {
    name: "truncated JSON, once",
    faults: [{ kind: "truncatedJson" }],
    expect: every("PPC_RESPONSE_VALIDATION"),
  },
  {
    name: "oversized body (9 MiB), once",
    faults: [{ kind: "oversizedBody", sizeBytes: 9 * 1024 * 1024 }],
    expect: every("PPC_RESPONSE_VALIDATION"),
  },
  { name: "MFA 900421", faults: [{ kind: "mfa" }], expect: every("PPC_MFA_REQUIRED") },
  {
    name: "403 code 20002, always",
    faults: [{ kind: "status", status: 403, code: 20002, always: true }],
    expect: {
      create: "PPC_RELATIONSHIP_NOT_ESTABLISHED",
      read: "gone",
      delete: "gone",
      deleteSuspend: "gone",
      readiness: "gone", // "already removed": its own outcome, not a failure
    },
  },
  {
    name: "404, always",
    faults: [{ kind: "status", status: 404, code: 1000, always: true }],
    expect: {
      create: "PPC_RELATIONSHIP_NOT_ESTABLISHED",
      read: "gone",
      delete: "gone",
      deleteSuspend: "gone",
      readiness: "gone", // "already removed": its own outcome, not a failure
    },
  },
  { name: "500, always", faults: [{ kind: "status", status: 500, always: true }], expect: every("PPC_API") },
  {
    name: "429, always",
    faults: [{ kind: "status", status: 429, always: true }],
    expect: every("PPC_THROTTLED"),
  },
  {
    name: "relationship PATCH: reset after applying, always",
    faults: [{ kind: "resetAfterApply", always: true, match: { method: "PATCH", path: RELATIONSHIP_PATCH } }],
    expect: ALL_OK,
  },
  {
    name: "relationship PATCH: malformed JSON after applying",
    faults: [{ kind: "malformedJson", match: { method: "PATCH", path: RELATIONSHIP_PATCH } }],
    expect: ALL_OK,
  },
  {
    name: "relationship PATCH: 500, always (not applied)",
    faults: [
      { kind: "status", status: 500, always: true, match: { method: "PATCH", path: RELATIONSHIP_PATCH } },
    ],
    expect: { ...ALL_OK, delete: "PPC_REMOVAL_UNCONFIRMED", deleteSuspend: "PPC_REMOVAL_UNCONFIRMED" },
  },
  {
    name: "relationship PATCH: 400 refusal",
    faults: [
      {
        kind: "status",
        status: 400,
        code: 3000,
        description: "Customer relationship cannot be removed.",
        always: true,
        match: { method: "PATCH", path: RELATIONSHIP_PATCH },
      },
    ],
    // 3000 may mean "the relationship does not exist": a GET shows it does, so it is a typed refusal.
    expect: { ...ALL_OK, delete: "PPC_REMOVAL_REFUSED", deleteSuspend: "PPC_REMOVAL_REFUSED" },
  },
  // Hostile but well-formed answers ("fail closed").
  ...[
    { status: 404, code: 1000 },
    { status: 404, code: 60003 },
    { status: 403, code: 20002 },
  ].map((f): Row => ({
    // "Gone" only from a GET of the customer: a list that says "not found" proves nothing.
    name: `lists answer ${f.status}/${f.code} while the customer is there, always`,
    faults: [{ kind: "status", ...f, always: true, match: { path: "/(subscriptions|entitlements)$" } }],
    expect: { ...every("PPC_NOT_FOUND"), create: "ok" },
  })),
  {
    // Statuses and types respelled; an active status may become an undocumented one, which blocks.
    name: "disguised statuses, entitlement types and company names, always",
    faults: [{ kind: "disguise", always: true }],
    expect: { ...ALL_OK, deleteSuspend: ["ok", "PPC_REMOVAL_BLOCKED"] },
  },
  {
    name: "a list's totalCount larger than its items, always",
    faults: [{ kind: "inflateTotalCount", always: true }],
    expect: { ...every("PPC_RESPONSE_VALIDATION"), create: "ok" },
  },
  {
    name: "a list's first item sent twice, always",
    faults: [{ kind: "duplicateItem", always: true, match: { path: "/subscriptions$" } }],
    // The clean customer has no subscription to repeat.
    expect: { ...ALL_OK, delete: "PPC_RESPONSE_VALIDATION", deleteSuspend: "PPC_RESPONSE_VALIDATION" },
  },
];

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ throttle: false });
});
afterAll(async () => {
  await emulator.close();
});

function client(): PartnerCenterClient {
  const settings = loadSettings({
    endpoint: emulator.url,
    authority: emulator.url,
    tenantId: "0a0a0a0a-0000-4000-8000-00000000000a",
    clientId: "matrix",
    refreshToken: "matrix-refresh-token",
  });
  return new PartnerCenterClient(settings, {
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, deadlineMs: 8_000, attemptTimeoutMs: 500 },
    pacing: { slowStart: false },
  });
}

async function run(op: Op, c: PartnerCenterClient, id: string): Promise<string> {
  try {
    switch (op) {
      case "create":
        await adopt(c, id);
        return "ok";
      case "read": {
        const r = await assessReadiness(c, id);
        return r.gone ? "gone" : "ok";
      }
      case "delete":
      case "deleteSuspend": {
        // The confirmation after an answer that did not show `none` is shortened from its 120 s default.
        const r = await remove(c, id, {
          suspendActiveSubscriptions: op === "deleteSuspend",
          // Fabrikam's new-commerce subscription is cleared by cancelling, not suspending.
          cancelNewCommerceSubscriptionsInWindow: op === "deleteSuspend",
          confirmTimeoutMs: 300,
          confirmIntervalMs: 20,
        });
        return r.outcome === "alreadyGone" ? "gone" : "ok";
      }
      case "readiness": {
        const [row] = await readinessReport(c, [id]);
        return row?.outcome === "alreadyRemoved" ? "gone" : row?.error ? row.error.code : "ok";
      }
    }
  } catch (e) {
    return e instanceof PartnerCenterError ? e.code : `untyped: ${String(e)}`;
  }
}

const cells = MATRIX.flatMap((row) => OPS.map((op) => [row.name, op, row] as const));

/** Until the emulator has seen no request for 50 ms: a sibling aborted by the last cell may still arrive. */
async function quiet(): Promise<void> {
  for (let n = -1; n !== emulator.requests().length;) {
    n = emulator.requests().length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test.each(cells)("%s x %s", async (_name, op, row) => {
  await quiet();
  emulator.reset();
  const id = CUSTOMER[op];
  for (const f of row.faults ?? []) emulator.addFault({ ...f, match: { customerId: id, ...f.match } });
  const c = client();
  await c.customers.get(
    SAMPLE_CUSTOMERS.inactiveOnly === id ? SAMPLE_CUSTOMERS.clean : SAMPLE_CUSTOMERS.inactiveOnly,
  );
  row.before?.(emulator);
  const outcome = await run(op, c, id);
  await c.close();
  expect([row.expect[op]].flat()).toContain(outcome);

  const log = emulator.requests().filter((r) => r.customerId === id);
  const customer = emulator.state().customers.find((x) => x.id === id);
  const removed = customer?.removedAt !== null && customer?.relationshipToPartner !== "reseller";
  const applied = log.filter((r) => r.applied);
  // No logical request changes state twice.
  expect(new Set(applied.map((r) => r.requestId)).size).toBe(applied.length);
  expect(emulator.state().counters.relationshipsRemoved).toBeLessThanOrEqual(1);
  if (op === "delete" || op === "deleteSuspend") {
    // Success exactly when the relationship is removed (or was gone for the partner).
    if (outcome === "ok") expect(removed).toBe(true);
    else expect(removed).toBe(false);
    // No relationship PATCH unless both lists were read completely.
    const relPatches = log.filter((r) => r.method === "PATCH" && !r.path.includes("/subscriptions/"));
    const listFailed =
      [
        "PPC_RESPONSE_VALIDATION",
        "PPC_MFA_REQUIRED",
        "PPC_THROTTLED",
        "PPC_NOT_FOUND",
        "PPC_REMOVAL_BLOCKED",
      ].includes(outcome) ||
      (outcome === "PPC_API" && !row.name.startsWith("relationship PATCH"));
    if (listFailed || outcome === "gone") expect(relPatches).toHaveLength(0);
  } else {
    expect(log.filter((r) => r.method === "PATCH")).toHaveLength(0);
  }
});
