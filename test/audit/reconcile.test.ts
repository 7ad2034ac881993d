/**
 * audit/reconcile.ts against the emulator on loopback: an intent with no outcome, whose writer is gone, is
 * settled by reading what Partner Center (or Microsoft Graph) shows now, in a `reconciled` record under the
 * intent's operation and ids; an intent whose writer may still be sending is left open, and nothing is read.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { hostname } from "node:os";
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS } from "../../packages/emulator/src";
import { OTHER_HOST_AGE_MS, reconcileOnce, reconcileTrail } from "../../provider/src/audit/reconcile";
import { serializeRecord, type AuditRecord } from "../../provider/src/audit/trail";
import { closeSharedClients } from "../../provider/src/client";
import { GraphClient } from "../../provider/src/gdap/graph";
import { emulatorAndClient, settingsFor } from "../client/helpers";
import { CUSTOMER, HELPDESK } from "../emulator/gdap/graph";
import { readTrail, record, tmpDir, tmpTrail } from "./helpers";

const shared = emulatorAndClient();
let graph: GraphClient;
// On each test's client (the shared hooks make a new one before each test).
beforeEach(() => {
  graph = new GraphClient(shared.client, shared.em.url);
});
afterAll(() => closeSharedClients());

const CLEAN = SAMPLE_CUSTOMERS.clean;
const FABRIKAM = SAMPLE_CUSTOMERS.activeSubscriptions;
/** A process that has exited: its intents can be settled. */
const GONE = { host: hostname(), pid: spawnSync(process.execPath, ["-e", ""]).pid };

let n = 0;
/** An intent of `op` on `customerId`, written by `writer`, with one request of `method`. */
function intent(
  op: AuditRecord["op"],
  customerId: string,
  subject: Partial<AuditRecord["subject"]> = {},
  { method = "PATCH", writer = GONE, time = new Date().toISOString() } = {},
): AuditRecord {
  n++;
  return record({
    op,
    phase: "intent",
    time,
    operationId: `op-${n}`,
    customer: { id: customerId, name: null },
    subject: { kind: "relationship", id: customerId, name: null, ...subject },
    before: { relationshipToPartner: "reseller" },
    checks: null,
    requests: [{ method, path: `/x/${n}`, requestId: `req-${n}`, correlationId: `cor-${n}` }],
    outcome: null,
    writer,
  });
}
function trailOf(records: AuditRecord[]): string {
  const file = tmpTrail();
  fs.writeFileSync(file, records.map(serializeRecord).join(""));
  return file;
}
const settingsOf = (file: string) => settingsFor(shared.em, { "partnercenter:auditLog": file });
function reconcile(file: string, more: { now?: () => number; withGraph?: boolean } = {}) {
  const lines: string[] = [];
  const done = reconcileTrail(file, settingsOf(file), {
    client: shared.client,
    ...(more.withGraph !== false && { graph: () => Promise.resolve(graph) }),
    log: (l) => lines.push(l),
    ...(more.now && { now: more.now }),
  });
  return done.then((result) => ({ ...result, lines }));
}

test("a removal intent is settled from the customer's GET: removed when gone, notApplied when still reseller", async () => {
  await shared.client.customers.removeRelationship(CLEAN);
  const applied = intent("removal", CLEAN);
  const notApplied = intent("removal", FABRIKAM);
  const closed = intent("removal", FABRIKAM);
  const file = trailOf([applied, notApplied, closed, record({ requests: closed.requests })]);
  shared.em.clearRequests();

  const r = await reconcile(file);
  expect(r.open).toEqual([]);
  const written = readTrail(file).slice(4);
  expect(r.settled).toEqual(written);
  expect(written).toEqual([
    expect.objectContaining({
      phase: "reconciled",
      op: "removal",
      operationId: applied.operationId,
      customer: applied.customer,
      subject: applied.subject,
      before: applied.before,
      requests: applied.requests,
      checks: null,
      outcome: "removed",
      after: { relationshipToPartner: null, confirmedBy: "customerGone" },
    }),
    expect.objectContaining({
      operationId: notApplied.operationId,
      outcome: "notApplied",
      after: { relationshipToPartner: "reseller", confirmedBy: "get" },
    }),
  ]);
  expect(r.lines).toEqual([
    `audit trail: the removal of relationship ${CLEAN} (customer ${CLEAN}, MS-RequestId ${applied.requests[0]!.requestId}) had no outcome on record; it shows removed: recorded as reconciled.`,
    expect.stringContaining("had no outcome on record; it shows no effect: recorded as reconciled."),
  ]);
  // Reads only, one per open intent.
  expect(shared.em.requests().map((q) => `${q.method} ${q.path}`)).toEqual([
    `GET /v1/customers/${CLEAN}`,
    `GET /v1/customers/${FABRIKAM}`,
  ]);
  // Settled intents are not settled again.
  expect((await reconcile(file)).settled).toEqual([]);
});

test("suspend and cancel intents: the subscription's status now says whether the change took", async () => {
  const subs = await shared.client.subscriptions.list(FABRIKAM);
  await shared.client.subscriptions.suspend(
    FABRIKAM,
    subs.find((s) => s.id === SAMPLE_SUBSCRIPTIONS.legacyE3)!,
  );
  const sub = (id: string) => ({ kind: "subscription" as const, id });
  const file = trailOf([
    intent("suspend", FABRIKAM, sub(SAMPLE_SUBSCRIPTIONS.legacyE3)),
    intent("cancel", FABRIKAM, sub(SAMPLE_SUBSCRIPTIONS.businessPremiumNce)),
  ]);
  const r = await reconcile(file);
  expect(r.settled.map((s) => [s.op, s.outcome, s.after])).toEqual([
    ["suspend", "suspended", { status: "suspended" }],
    ["cancel", "notApplied", { status: "active" }],
  ]);
});

test("GDAP intents are settled from Microsoft Graph", async () => {
  const made = await graph.createRelationship({
    displayName: "Reconciled",
    duration: "P730D",
    customerTenantId: CUSTOMER,
    roles: [HELPDESK],
  });
  const rel = (id: string, name: string | null = null) => ({ kind: "adminRelationship" as const, id, name });
  const missing = `00000000-0000-4000-8000-000000000000-${made.id.split("-").slice(5).join("-")}`;
  const file = trailOf([
    intent("gdapCreation", CUSTOMER, rel("", "Reconciled"), { method: "POST" }),
    intent("gdapCreation", CUSTOMER, rel("", "Never made"), { method: "POST" }),
    intent("gdapDeletion", CUSTOMER, rel(missing), { method: "DELETE" }),
    intent("gdapApprovalRequest", CUSTOMER, rel(made.id), { method: "POST" }),
    intent(
      "gdapAccessAssignment",
      CUSTOMER,
      {
        kind: "accessAssignment",
        id: "",
        name: "869713c9-0b28-4d08-8949-ae07ae1bf528",
        relationshipId: made.id,
      },
      { method: "POST" },
    ),
  ]);
  const r = await reconcile(file);
  expect(r.open).toEqual([]);
  expect(r.settled.map((s) => [s.op, s.outcome, s.after])).toEqual([
    ["gdapCreation", "created", { id: made.id, status: "created" }],
    ["gdapCreation", "notApplied", null],
    ["gdapDeletion", "deleted", null],
    ["gdapApprovalRequest", "notApplied", { status: "created" }],
    ["gdapAccessAssignment", "notApplied", null],
  ]);
});

test("a termination Graph is still carrying out is settled as terminated; one Graph never took is not", async () => {
  const rel = (id: string) => ({ kind: "adminRelationship" as const, id, name: null });
  const intents = [];
  for (const status of ["terminationRequested", "terminating", "terminated", "active"]) {
    const made = await graph.createRelationship({
      displayName: `Ending ${status}`,
      duration: "P730D",
      customerTenantId: CUSTOMER,
      roles: [HELPDESK],
    });
    const set = await fetch(`${shared.em.url}/_emulator/gdap/${made.id}/status`, {
      method: "POST",
      body: JSON.stringify({ status }),
    });
    expect(set.status).toBe(200);
    intents.push(intent("gdapTermination", CUSTOMER, rel(made.id), { method: "POST" }));
  }
  const r = await reconcile(trailOf(intents));
  expect(r.settled.map((s) => [s.outcome, s.after])).toEqual([
    ["terminated", { status: "terminationRequested" }],
    ["terminated", { status: "terminating" }],
    ["terminated", { status: "terminated" }],
    ["notApplied", { status: "active" }],
  ]);
});

test("an intent that cannot be read now stays open, with the reason; the others are settled", async () => {
  shared.em.addFault({
    match: { method: "GET", path: `^/v1/customers/${CLEAN}$` },
    kind: "status",
    status: 400,
  });
  const file = trailOf([
    intent("removal", CLEAN),
    intent("gdapDeletion", CUSTOMER, { kind: "adminRelationship", id: "x" }, { method: "DELETE" }),
    intent("removal", FABRIKAM),
  ]);
  const r = await reconcile(file, { withGraph: false });
  expect(r.open.map((o) => [o.intent.op, o.reason])).toEqual([
    ["removal", expect.stringMatching(/^the read failed: .*HTTP 400/)],
    ["gdapDeletion", "the read failed: Microsoft Graph is not configured here"],
  ]);
  expect(r.settled.map((s) => s.customer.id)).toEqual([FABRIKAM]);
});

test("an intent whose writer is still running is left open, and nothing is read", async () => {
  const file = trailOf([
    intent("removal", CLEAN, {}, { writer: { host: hostname(), pid: process.pid } }),
    intent("removal", CLEAN, {}, { writer: { host: hostname(), pid: process.ppid } }),
  ]);
  const before = fs.readFileSync(file, "utf8");
  const r = await reconcile(file);
  expect(r.settled).toEqual([]);
  expect(r.open.map((o) => o.reason)).toEqual([
    `the process that sent it (pid ${process.pid}) is still running`,
    `the process that sent it (pid ${process.ppid}) is still running`,
  ]);
  expect(fs.readFileSync(file, "utf8")).toBe(before);
  expect(shared.em.requests()).toEqual([]);
});

test("an intent from another host is left open until it is old enough that its write cannot be in flight", async () => {
  const time = "2025-03-01T10:00:00.000Z";
  const file = trailOf([intent("removal", FABRIKAM, {}, { writer: { host: "elsewhere", pid: 1 }, time })]);
  const at = (ms: number) => () => Date.parse(time) + ms;
  const early = await reconcile(file, { now: at(OTHER_HOST_AGE_MS - 1_000) });
  expect(early.open.map((o) => o.reason)).toEqual([
    "it was sent from host elsewhere less than 15 minutes ago",
  ]);
  expect(shared.em.requests()).toEqual([]);
  const late = await reconcile(file, { now: at(OTHER_HOST_AGE_MS) });
  expect(late.settled.map((s) => s.outcome)).toEqual(["notApplied"]);
});

test("reconcileOnce: once per trail in the process; what stays open, or a trail that cannot be read, is a log line", async () => {
  const file = trailOf([
    intent("removal", FABRIKAM),
    intent("removal", CLEAN, {}, { writer: { host: hostname(), pid: process.pid } }),
  ]);
  const lines: string[] = [];
  const deps = { client: shared.client, log: (l: string) => lines.push(l) };
  const first = reconcileOnce(settingsOf(file), deps);
  expect(reconcileOnce(settingsOf(file), deps)).toBe(first);
  await first;
  expect(readTrail(file).filter((r) => r.phase === "reconciled")).toHaveLength(1);
  expect(lines).toEqual([
    expect.stringContaining("recorded as reconciled"),
    `audit trail: the removal of customer ${CLEAN} (MS-RequestId req-${n}) has no outcome on record and was not settled: the process that sent it (pid ${process.pid}) is still running.`,
  ]);
  // A directory is no trail: a warning, never a failure of the caller.
  const dir = tmpDir();
  await reconcileOnce(settingsOf(dir), deps);
  expect(lines.at(-1)).toMatch(/^warning: the audit trail .* could not be reconciled: /);
  // No trail configured: nothing to do.
  const count = lines.length;
  await reconcileOnce(settingsFor(shared.em), deps);
  expect(lines).toHaveLength(count);
});
