/**
 * audit/audited-client.ts against the emulator on loopback: the audited view of the Partner Center client
 * (each read on record, each write's intent written and synced before it is sent and its outcome after; an
 * intent that cannot be written stops its write), and the audited removal and adoption around the domain rules.
 */
import { promises as fsp } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS, type Fault } from "../../packages/emulator/src";
import { auditedAdoption, auditedClient, auditedRemoval } from "../../provider/src/audit/audited-client";
import { Operation } from "../../provider/src/audit/operation";
import { AuditTrailError, type AuditRecord } from "../../provider/src/audit/trail";
import { NotFoundError } from "../../provider/src/errors";
import { adopt, remove } from "../../provider/src/relationship/removal";
import { caught, emulatorAndClient, settingsFor } from "../client/helpers";
import { MemoryWriter, readTrail, sequence, tmpTrail } from "./helpers";

const shared = emulatorAndClient();

const CLEAN = SAMPLE_CUSTOMERS.clean;
const FABRIKAM = SAMPLE_CUSTOMERS.activeSubscriptions;
const patches = () => shared.em.requests().filter((r) => r.method === "PATCH");
const withTrail = (file: string) => settingsFor(shared.em, { "partnercenter:auditLog": file });
/** An operation of a removal of `customerId` on `writer`, and the audited view of the client it records. */
function audited(customerId: string, writer: MemoryWriter) {
  const op = new Operation(writer, settingsFor(shared.em), { op: "removal", customerId });
  return { op, view: auditedClient(shared.client, op) };
}

test("without a trail, removal and adoption run on the client itself", async () => {
  const settings = settingsFor(shared.em);
  let given: unknown;
  await auditedRemoval(settings, shared.client, CLEAN, {}, (c) => ((given = c), remove(c, CLEAN)));
  expect(given).toBe(shared.client);
  await auditedAdoption(
    settings,
    shared.client,
    FABRIKAM,
    undefined,
    (c) => ((given = c), adopt(c, FABRIKAM)),
  );
  expect(given).toBe(shared.client);
});

test("the intent is written and synced before its PATCH is sent; the outcome after the answer", async () => {
  const file = tmpTrail();
  // Each sync of the trail, slowed down: the PATCH must wait for it, so none may arrive during the pause.
  const handle = await fsp.open(file, "w");
  const proto = Object.getPrototypeOf(handle) as { datasync(this: unknown): Promise<void> };
  await handle.close();
  const datasync = proto.datasync;
  const syncs: { record: string; patchesAfter: number }[] = [];
  const spy = jest.spyOn(proto, "datasync").mockImplementation(async function (this: unknown) {
    await datasync.call(this);
    const last = readTrail(file).at(-1)!;
    await sleep(30);
    syncs.push({ record: sequence([last])[0]!, patchesAfter: patches().length });
  });
  try {
    await auditedRemoval(withTrail(file), shared.client, CLEAN, {}, (c) => remove(c, CLEAN));
  } finally {
    spy.mockRestore();
  }
  expect(syncs).toEqual([
    { record: "removal/checked/null", patchesAfter: 0 },
    { record: "removal/intent/null", patchesAfter: 0 },
    { record: "removal/outcome/removed", patchesAfter: 1 },
  ]);
  const [, intent, outcome] = readTrail(file);
  expect(intent!.requests).toEqual([
    {
      method: "PATCH",
      path: `/v1/customers/${CLEAN}`,
      requestId: patches()[0]!.requestId,
      correlationId: patches()[0]!.correlationId,
    },
  ]);
  expect(outcome!.requests).toEqual(intent!.requests);
});

test("an intent that cannot be written stops its write: AuditTrailError, and nothing reaches Partner Center", async () => {
  let refused = 0;
  const writer = new MemoryWriter((r) => {
    if (r.phase !== "intent") return;
    refused++;
    throw new Error("disk full");
  });
  const { view } = audited(FABRIKAM, writer);
  const legacy = (await view.subscriptions.list(FABRIKAM)).find(
    (s) => s.id === SAMPLE_SUBSCRIPTIONS.legacyE3,
  )!;
  await view.entitlements.list(FABRIKAM);
  const suspend = await caught(view.subscriptions.suspend(FABRIKAM, legacy));
  expect(suspend).toBeInstanceOf(AuditTrailError);
  expect((suspend as Error).message).toContain(
    `The suspend of subscription ${legacy.id} (customer ${FABRIKAM}) was not sent.`,
  );
  const removal = await caught(view.customers.removeRelationship(FABRIKAM));
  expect(removal).toBeInstanceOf(AuditTrailError);
  expect(refused).toBe(2); // one attempt each: a trail failure is not retried
  expect(patches()).toEqual([]);
  // The change that was not sent is on record as failed, for what it is.
  expect(writer.records.map((r) => `${r.op}/${r.phase}/${r.outcome}/${r.error?.code ?? ""}`)).toEqual([
    "removal/checked/null/",
    "suspend/outcome/failed/PPC_CONFIGURATION",
  ]);
});

test("the view records each read (count, or error code) and each subscription change with the ids Partner Center saw", async () => {
  const writer = new MemoryWriter();
  const { op, view } = audited(FABRIKAM, writer);
  await view.customers.get(FABRIKAM);
  const subs = await view.subscriptions.list(FABRIKAM);
  await view.entitlements.list(FABRIKAM);
  const unknown = "99999999-9999-4999-8999-999999999999";
  expect(await caught(view.customers.get(unknown))).toBeInstanceOf(NotFoundError);
  const legacy = subs.find((s) => s.id === SAMPLE_SUBSCRIPTIONS.legacyE3)!;
  await view.subscriptions.suspend(FABRIKAM, legacy);

  expect(op.outcomeRecord("removed").checks).toEqual({
    subscriptionsRead: 3,
    entitlementsRead: 0,
    reads: [
      { what: "customer", count: 1 },
      { what: "subscriptions", count: 3 },
      { what: "entitlements", count: 0 },
      { what: "customer", count: null, error: "PPC_NOT_FOUND" },
    ],
  });
  expect(sequence(writer.records)).toEqual([
    "removal/checked/null",
    "suspend/intent/null",
    "suspend/outcome/suspended",
  ]);
  const [, intent, outcome] = writer.records as [AuditRecord, AuditRecord, AuditRecord];
  const sent = patches()[0]!;
  expect(outcome).toMatchObject({
    customer: { id: FABRIKAM, name: "Fabrikam Active Inc" },
    subject: { kind: "subscription", id: legacy.id, name: "Office 365 E3" },
    before: { status: "active" },
    after: { status: "suspended" },
    requests: [{ method: "PATCH", requestId: sent.requestId, correlationId: sent.correlationId }],
  });
  expect(intent.requests).toEqual(outcome.requests);
});

describe("auditedRemoval: the closing record says how it ended and what confirmed it", () => {
  const lost: Fault = { match: { method: "PATCH" }, kind: "resetAfterApply" };
  const noNone: Fault = {
    match: { method: "PATCH" },
    kind: "body",
    body: { id: CLEAN, relationshipToPartner: "reseller", attributes: { objectType: "Customer" } },
  };
  const refused: Fault = { match: { method: "PATCH" }, kind: "status", status: 409, code: "409" };
  test.each([
    [
      "the PATCH's answer",
      CLEAN,
      [],
      "removed",
      { relationshipToPartner: "none", confirmedBy: "patchResponse" },
      null,
    ],
    [
      "the customer gone, after a lost answer",
      CLEAN,
      [lost],
      "removed",
      { relationshipToPartner: null, confirmedBy: "customerGone" },
      null,
    ],
    [
      "a GET still showing reseller",
      CLEAN,
      [noNone],
      "unconfirmed",
      { relationshipToPartner: "reseller", confirmedBy: "get" },
      "PPC_REMOVAL_UNCONFIRMED",
    ],
    ["a refusal", CLEAN, [refused], "failed", null, "PPC_REMOVAL_REFUSED"],
    ["a blocker", FABRIKAM, [], "blocked", null, "PPC_REMOVAL_BLOCKED"],
  ] as const)("%s", async (_n, id, faults, outcome, after, code) => {
    shared.em.addFault([...faults]);
    const file = tmpTrail();
    const run = auditedRemoval(withTrail(file), shared.client, id, { relationshipBefore: "reseller" }, (c) =>
      remove(c, id, { confirmTimeoutMs: 100, confirmIntervalMs: 5 }),
    );
    const e = code === null ? (await run, undefined) : await caught(run);
    expect((e as { code?: string } | undefined)?.code ?? null).toBe(code);
    const closing = readTrail(file).at(-1)!;
    expect(closing).toMatchObject({ op: "removal", phase: "outcome", outcome, after });
    expect(closing.error?.code ?? null).toBe(code);
    expect(closing.before).toEqual({ relationshipToPartner: "reseller" });
    // Every PATCH of the relationship under its one MS-RequestId, with the last attempt's correlation id.
    const sent = patches().filter((p) => p.path === `/v1/customers/${id}`);
    expect(closing.requests).toEqual(
      sent.length === 0
        ? []
        : [
            expect.objectContaining({
              requestId: sent[0]!.requestId,
              correlationId: sent.at(-1)!.correlationId,
            }),
          ],
    );
  });
});

test("auditedAdoption: one record after the read, adopted or failed; the failure is the caller's to see", async () => {
  const file = tmpTrail();
  await auditedAdoption(withTrail(file), shared.client, CLEAN, undefined, (c) => adopt(c, CLEAN));
  const woodgrove = SAMPLE_CUSTOMERS.noRelationship;
  const e = await caught(
    auditedAdoption(withTrail(file), shared.client, woodgrove, undefined, (c) => adopt(c, woodgrove)),
  );
  expect(e).toMatchObject({ code: "PPC_RELATIONSHIP_NOT_ESTABLISHED" });
  const [adopted, failed] = readTrail(file) as [AuditRecord, AuditRecord];
  expect(sequence([adopted, failed])).toEqual(["adopt/outcome/adopted", "adopt/outcome/failed"]);
  expect(adopted).toMatchObject({
    customer: { id: CLEAN, name: "Contoso Clean Ltd" },
    after: { relationshipToPartner: "reseller" },
    checks: { reads: [{ what: "customer", count: 1 }] },
    options: null,
  });
  expect(failed.error).toMatchObject({ code: "PPC_RELATIONSHIP_NOT_ESTABLISHED" });
});
