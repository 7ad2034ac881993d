/**
 * audit/operation.ts: how one operation's records are built and when they are written: the common fields,
 * the `checked` record once both lists are read, the write-ahead `intent`, the records that must be written
 * (failing with AuditTrailError) and those that must not fail the operation, and the outcome records.
 */
import * as os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Operation } from "../../provider/src/audit/operation";
import { AuditTrailError, type AuditRecord } from "../../provider/src/audit/trail";
import type { Subscription } from "../../provider/src/client";
import type { SentIds } from "../../provider/src/client/core/transport";
import {
  ApiError,
  ChangeNotAppliedError,
  RemovalBlockedError,
  type RemovalBlocker,
} from "../../provider/src/errors";
import { loadSettings } from "../../provider/src/settings";
import { MemoryWriter } from "./helpers";

const TENANT = "0a0a0a0a-0000-4000-8000-00000000000a";
const settings = loadSettings({ tenantId: TENANT }, {});
const sub = (id: string, status: string) =>
  ({ id, status, offerName: `Offer ${id}`, friendlyName: undefined }) as unknown as Subscription;
const ids = (requestId: string): SentIds => ({
  method: "PATCH",
  path: `/v1/customers/c1/subscriptions/s1`,
  requestId,
  correlationId: `k-${requestId}`,
});
/** A writer that fails the records `fails` says, with "disk full". */
const failing = (fails: (r: AuditRecord) => boolean) =>
  new MemoryWriter((r) => {
    if (fails(r)) throw new Error("disk full");
  });
const removal = (
  writer = new MemoryWriter(),
  more: Partial<ConstructorParameters<typeof Operation>[2]> = {},
) =>
  new Operation(writer, settings, {
    op: "removal",
    customerId: "c1",
    relationshipBefore: "reseller",
    ...more,
  });

test("every record: version 2, the operation's one id, customer, partner, endpoint, writer; the options of a removal only", () => {
  const op = removal(new MemoryWriter(), { companyName: "Contoso", suspendActiveSubscriptions: true });
  const [a, b] = [op.outcomeRecord("removed"), op.record("outcome", "suspend", { outcome: "suspended" })];
  for (const r of [a, b]) {
    expect(r).toMatchObject({
      version: 2,
      operationId: op.id,
      customer: { id: "c1", name: "Contoso" },
      partnerTenantId: TENANT,
      endpoint: settings.endpoint,
      subject: { kind: "relationship", id: "c1", name: "Contoso" },
      options: { suspendActiveSubscriptions: true },
      writer: { host: os.hostname(), pid: process.pid },
    });
    expect(Number.isNaN(Date.parse(r.time))).toBe(false);
  }
  expect(b).toMatchObject({ op: "suspend", outcome: "suspended" });
  // The cancel opt-in is named only when set (records written before it existed stay comparable).
  expect(a.options).toEqual({ suspendActiveSubscriptions: true });
  expect(
    removal(new MemoryWriter(), { cancelNewCommerceSubscriptionsInWindow: true }).outcomeRecord("removed")
      .options,
  ).toEqual({ suspendActiveSubscriptions: false, cancelNewCommerceSubscriptionsInWindow: true });
  const adopt = new Operation(new MemoryWriter(), settings, { op: "adopt", customerId: "c1" });
  expect(adopt.outcomeRecord("adopted").options).toBeNull();
  expect(adopt.id).not.toBe(op.id);
});

test("a removal's `checked` record is on record when the second list read returns, once, with the reads and blockers", async () => {
  // A slow disk: the read must wait for the record, not only start it.
  const w = new MemoryWriter(() => sleep(20));
  const op = removal(w);
  await op.noteRead({ what: "customer", count: 1 });
  op.noteCustomer({
    id: "c1",
    companyName: "Fabrikam",
    domain: "f.example",
    relationshipToPartner: "reseller",
  });
  await op.noteRead(
    { what: "subscriptions", count: 2 },
    { subscriptions: [sub("a", "active"), sub("d", "deleted")] },
  );
  expect(w.records).toEqual([]);
  await op.noteRead({ what: "entitlements", count: 0 }, { entitlements: [] });
  expect(w.records).toHaveLength(1);
  expect(w.records[0]).toMatchObject({
    phase: "checked",
    op: "removal",
    customer: { id: "c1", name: "Fabrikam" },
    before: { relationshipToPartner: "reseller" },
    checks: {
      subscriptionsRead: 2,
      entitlementsRead: 0,
      reads: [
        { what: "customer", count: 1 },
        { what: "subscriptions", count: 2 },
        { what: "entitlements", count: 0 },
      ],
    },
    blockers: [expect.objectContaining({ kind: "subscription", id: "a" })],
    requests: [],
    outcome: null,
  });
  // The check after clearing reads both lists again: no second `checked`.
  await op.noteRead({ what: "subscriptions", count: 2 }, { subscriptions: [sub("a", "suspended")] });
  await op.writeChecked();
  expect(w.records).toHaveLength(1);
  // An adoption reads, but has no check to record.
  const adopt = new Operation(w, settings, { op: "adopt", customerId: "c1" });
  await adopt.noteRead({ what: "subscriptions", count: 0 }, { subscriptions: [], entitlements: [] });
  expect(w.records).toHaveLength(1);
});

test("an intent: the `checked` record first, then the write's subject, state before and the ids it will send", async () => {
  const w = new MemoryWriter();
  const op = removal(w);
  const subject = { kind: "subscription" as const, id: "s1", name: "E3" };
  await op.intentHook("suspend", subject, { status: "active" })(ids("r1"));
  await op.intentHook("removal", undefined, { relationshipToPartner: "reseller" })(ids("r2"));
  expect(w.records.map((r) => `${r.op}/${r.phase}`)).toEqual([
    "removal/checked",
    "suspend/intent",
    "removal/intent",
  ]);
  expect(w.records[1]).toMatchObject({
    operationId: op.id,
    subject,
    before: { status: "active" },
    requests: [ids("r1")],
    outcome: null,
  });
  expect(w.records[2]!.subject).toEqual({ kind: "relationship", id: "c1", name: null });
});

test("a record the operation cannot go on without: AuditTrailError naming the file, the setting and what it means", async () => {
  let failChecked = true;
  const w = failing((r) => (r.phase === "checked" && failChecked) || r.phase === "intent");
  const op = removal(w);
  const checked = await op.writeChecked().catch((e: unknown) => e);
  expect(checked).toBeInstanceOf(AuditTrailError);
  expect((checked as Error).message).toMatch(
    /^The audit trail .*memory-trail\.jsonl \(partnercenter:auditLog \(or PARTNER_CENTER_AUDIT_LOG\)\) cannot be written: disk full\. Nothing was changed for customer c1\./,
  );
  // The failed `checked` is tried again by the next write; here the intent after it fails.
  failChecked = false;
  const intent = await op
    .intentHook(
      "suspend",
      { kind: "subscription", id: "s1", name: null },
      null,
    )(ids("r1"))
    .catch((e: unknown) => e);
  expect(intent).toBeInstanceOf(AuditTrailError);
  expect((intent as Error).message).toContain("The suspend of subscription s1 (customer c1) was not sent.");
  expect(w.records.map((r) => r.phase)).toEqual(["checked"]);
});

test("a record after a change never fails the operation: false, and a warning naming the file, the record and its ids", async () => {
  const lines: string[] = [];
  const op = removal(
    failing(() => true),
    { log: (l) => lines.push(l) },
  );
  const r = op.outcomeRecord("removed");
  r.requests = [ids("r1"), ids("r2")];
  expect(await op.writeAfter(r)).toBe(false);
  expect(lines).toEqual([
    expect.stringMatching(
      /^warning: the audit trail .*memory-trail\.jsonl could not record the removal outcome \(removed\) of customer c1: disk full\. The change itself stands; MS-RequestId\(s\): r1, r2\.$/,
    ),
  ]);
  expect(await removal().writeAfter(r)).toBe(true);
});

test("a subscription change's record: suspended or cancelled, failed with the error, or unconfirmed with the status seen", () => {
  const op = removal();
  const before = sub("s1", "active");
  const sent = [ids("r1")];
  expect(op.changeRecord("suspend", before, sub("s1", "suspended"), sent, undefined)).toMatchObject({
    phase: "outcome",
    op: "suspend",
    subject: { kind: "subscription", id: "s1", name: "Offer s1" },
    before: { status: "active" },
    after: { status: "suspended" },
    requests: sent,
    outcome: "suspended",
    error: null,
  });
  expect(op.changeRecord("cancel", before, sub("s1", "deleted"), sent, undefined).outcome).toBe("cancelled");
  const refused = new ApiError("no", { status: 400, partnerCenterCode: "800002" });
  expect(op.changeRecord("cancel", before, undefined, sent, refused)).toMatchObject({
    outcome: "failed",
    after: null,
    error: { code: "PPC_API", status: 400, partnerCenterCode: "800002" },
  });
  const notApplied = new ChangeNotAppliedError("not applied", "s1", "deleted", "active");
  expect(op.changeRecord("cancel", before, undefined, sent, notApplied)).toMatchObject({
    outcome: "unconfirmed",
    after: { status: "active" },
    error: { code: "PPC_CHANGE_NOT_APPLIED" },
  });
});

test("a removal's closing record: the relationship before and after, the PATCHes sent, a blocked removal's blockers", () => {
  const op = removal();
  op.patches.push(ids("r1"));
  op.relationshipAfter = { relationshipToPartner: "none", confirmedBy: "patchResponse" };
  expect(op.outcomeRecord("removed")).toMatchObject({
    phase: "outcome",
    op: "removal",
    before: { relationshipToPartner: "reseller" },
    after: { relationshipToPartner: "none", confirmedBy: "patchResponse" },
    requests: [ids("r1")],
    outcome: "removed",
    error: null,
  });
  const blocker = { kind: "reservedInstance", id: "ri-1" } as unknown as RemovalBlocker;
  const blocked = removal().outcomeRecord("blocked", new RemovalBlockedError("blocked", "c1", [blocker]));
  expect(blocked).toMatchObject({
    blockers: [blocker],
    error: { code: "PPC_REMOVAL_BLOCKED" },
    requests: [],
    after: null,
  });
});
