/**
 * Removal rules as Microsoft documents them, through the real Pulumi provider host (gRPC) against the emulator:
 * a suspended new-commerce subscription blocks (and the cancel opt-in cancels it inside its window); legacy VM
 * reservations are read with their documented filter; a refusal of the relationship PATCH is typed, a "not
 * there" answer confirmed with a GET; savings plans wait for their term end; an indirect reseller's refusal
 * says who can remove it; a cancellation answered but not applied is never reported or recorded as done.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  SAMPLE_CUSTOMERS,
  SAMPLE_SUBSCRIPTIONS,
  startEmulator,
  type Emulator,
} from "pulumi-partner-center-emulator";
import type { AuditRecord } from "../../provider/src/audit";
import { captureProviderText, Host } from "../support/host";

let emulator: Emulator;
let host: Host;
let providerText: string;
let dir: string;
let trail: string;

beforeAll(async () => {
  providerText = await captureProviderText();
});

beforeEach(async () => {
  emulator = await startEmulator({ throttle: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-removal-rules-"));
  trail = path.join(dir, "trail.jsonl");
  host = await Host.start({ providerText });
  await host.configureEmulator(
    emulator.url,
    {
      clientSecret: "client-secret-rules-4b7e2a91-recognisable",
      refreshToken: "refresh-token-rules-9c3d5f18",
    },
    { "partnercenter:auditLog": trail },
  );
});

afterEach(async () => {
  await host.stop();
  await emulator.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const customer = (id: string) => emulator.state().customers.find((c) => c.id === id)!;
const relationshipPatches = (id: string) =>
  emulator.requests().filter((r) => r.method === "PATCH" && r.path === `/v1/customers/${id}`);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => new Error("expected a failure"),
    (e: Error) => e,
  );
const records = (): AuditRecord[] =>
  fs
    .readFileSync(trail, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as AuditRecord);

test("a suspended new-commerce subscription blocks: refresh shows it, delete sends nothing; the cancel opt-in cancels it inside its window and removes", async () => {
  const id = SAMPLE_CUSTOMERS.suspendedNewCommerce;
  const read = await host.read("coho", id, { customerId: id });
  expect(read.props).toMatchObject({
    removable: false,
    removalBlockers: [
      expect.objectContaining({
        id: SAMPLE_SUBSCRIPTIONS.cohoSuspendedNce,
        status: "suspended",
        class: "newCommerceCancellable",
        dateMeaning: "cancellationDeadline",
      }),
    ],
  });

  const blocked = await failure(
    host.delete("coho", id, { customerId: id, suspendActiveSubscriptions: true }),
  );
  expect(blocked.message).toMatch(
    /subscription c5c5c5c5-0000-4000-8000-000000000001 "Microsoft 365 Business Standard" \(suspended\) \[newCommerceCancellable, cancel by .*\]: it is suspended, but a suspended new-commerce subscription keeps billing and still blocks: cancel it before .*cancelNewCommerceSubscriptionsInWindow: true/,
  );
  expect(emulator.requests().filter((r) => r.method === "PATCH")).toHaveLength(0);

  await host.delete("coho", id, { customerId: id, cancelNewCommerceSubscriptionsInWindow: true });
  expect(customer(id).subscriptions[0]!.status).toBe("deleted");
  expect(customer(id).relationshipToPartner).toBe("none");
  expect(host.output()).toMatch(/cancelled c5c5c5c5-0000-4000-8000-000000000001/);
});

test("a suspended new-commerce subscription past its window blocks until its term ends, with the date; nothing is changed", async () => {
  const id = SAMPLE_CUSTOMERS.suspendedNewCommerceLocked;
  const e = await failure(
    host.delete("datum", id, {
      customerId: id,
      suspendActiveSubscriptions: true,
      cancelNewCommerceSubscriptionsInWindow: true,
    }),
  );
  expect(e.message).toMatch(
    /\(suspended\) \[newCommerceLocked, term ends 2027-09-30T00:00:00Z\]: it is suspended but keeps billing, and it cannot be cancelled \(its cancellation window ended on 2026-10-08\) and blocks until its term ends on 2027-09-30/,
  );
  expect(emulator.requests().filter((r) => r.method === "PATCH")).toHaveLength(0);
  expect(customer(id).subscriptions[0]!.status).toBe("suspended");
});

test("legacy VM reservations are read with ?entitlementType=virtualmachinereservedinstance and block", async () => {
  const id = SAMPLE_CUSTOMERS.legacyReservedInstance;
  const read = await host.read("adatum", id, { customerId: id });
  expect(read.props).toMatchObject({
    removable: false,
    removalBlockers: [
      expect.objectContaining({
        kind: "reservedInstance",
        id: "adatum-ri-order-1",
        class: "reservedInstance",
      }),
    ],
  });
  const e = await failure(host.delete("adatum", id, { customerId: id }));
  expect(e.message).toMatch(/Azure reserved instance adatum-ri-order-1 .*Azure support/);
  expect(relationshipPatches(id)).toHaveLength(0);
  expect(
    emulator
      .requests()
      .filter((r) => r.path.endsWith("/entitlements"))
      .map((r) => r.query),
  ).toContain("entitlementType=virtualmachinereservedinstance&showExpiry=true");
});

test("a 404 to the first removal PATCH: a GET confirms the customer is gone, and the delete succeeds", async () => {
  const id = SAMPLE_CUSTOMERS.clean;
  emulator.addFault({
    match: { method: "PATCH", customerId: id },
    kind: "status",
    status: 404,
    code: "1000",
  });
  emulator.addFault({
    match: { method: "GET", path: `^/v1/customers/${id}$` },
    kind: "status",
    status: 404,
    code: "1000",
  });
  await host.delete("clean", id, { customerId: id });
  expect(relationshipPatches(id)).toHaveLength(1);
  expect(host.output()).toMatch(/answered the removal with HTTP 404 code 1000.*already gone/);
  expect(records().at(-1)).toMatchObject({ op: "removal", outcome: "alreadyGone" });
});

test("any other refusal of the PATCH is a typed removal error with Partner Center's description and the next step", async () => {
  const id = SAMPLE_CUSTOMERS.clean;
  emulator.addFault({
    match: { method: "PATCH", customerId: id },
    kind: "status",
    status: 400,
    code: "800063",
    description:
      "This order 0bed3bbca6c cannot be cancelled. Use PATCH /customers/x/subscriptions/<subscriptionId> to suspend subscriptions",
  });
  const e = await failure(host.delete("clean", id, { customerId: id, companyName: "Contoso Clean Ltd" }));
  expect(e.message).not.toMatch(/Partner Center answered HTTP 400/);
  expect(e.message).toMatch(
    /Partner Center refused to remove the reseller relationship with Contoso Clean Ltd .*HTTP 400; Partner Center code 800063; "This order 0bed3bbca6c cannot be cancelled/,
  );
  expect(e.message).toMatch(/then run the command again/);
  expect(records().at(-1)).toMatchObject({
    outcome: "failed",
    error: { code: "PPC_REMOVAL_REFUSED", partnerCenterCode: "800063" },
  });
  expect(customer(id).relationshipToPartner).toBe("reseller");
});

test("a 403 to the PATCH (an indirect reseller's account): not permitted, and who can remove it", async () => {
  const id = SAMPLE_CUSTOMERS.clean;
  emulator.addFault({
    match: { method: "PATCH", customerId: id },
    kind: "status",
    status: 403,
    code: "900150",
    description: "The supplied role does not have the rights to perform the requested operation",
  });
  const e = await failure(host.delete("clean", id, { customerId: id }));
  expect(e.message).toMatch(/did not let this account remove the reseller relationship/);
  expect(e.message).toMatch(/Indirect resellers cannot remove relationships .*their indirect provider must/);
  expect(records().at(-1)).toMatchObject({ error: { code: "PPC_REMOVAL_NOT_PERMITTED" } });
});

test("an Azure savings plan cannot be cancelled: the next step is its term end, with the date", async () => {
  const id = SAMPLE_CUSTOMERS.savingsPlan;
  const e = await failure(
    host.delete("blueyonder", id, { customerId: id, suspendActiveSubscriptions: true }),
  );
  expect(e.message).toMatch(
    /\[savingsPlan, term ends 2027-03-01T00:00:00Z\]: an Azure savings plan cannot be cancelled \("All savings plan purchases are final"\): it blocks until its term ends on 2027-03-01/,
  );
  expect(e.message).not.toMatch(/Azure support/);
  expect(emulator.requests().filter((r) => r.method === "PATCH")).toHaveLength(0);
});

test("a cancellation answered 200 but not applied: not reported or recorded as cancelled, and the advice fits", async () => {
  const id = SAMPLE_CUSTOMERS.suspendedNewCommerce;
  const sub = SAMPLE_SUBSCRIPTIONS.cohoSuspendedNce;
  const as = await host.read("coho", id, { customerId: id });
  expect(as.props.removable).toBe(false);
  // The answer shows the subscription unchanged, and nothing is applied.
  emulator.addFault({
    match: { method: "PATCH", path: `/subscriptions/${sub}` },
    kind: "body",
    status: 200,
    body: {
      id: sub,
      offerName: "Microsoft 365 Business Standard",
      status: "suspended",
      attributes: { objectType: "Subscription" },
    },
  });
  const e = await failure(
    host.delete("coho", id, { customerId: id, cancelNewCommerceSubscriptionsInWindow: true }),
  );
  expect(e.message).toMatch(
    /answered the cancellation of subscription c5c5c5c5-0000-4000-8000-000000000001 with success, but the subscription still shows status "suspended".*did not take effect/,
  );
  expect(e.message).toMatch(/Check subscription c5c5c5c5-0000-4000-8000-000000000001 in Partner Center/);
  expect(e.message).not.toMatch(/set cancelNewCommerceSubscriptionsInWindow/);
  expect(e.message).not.toMatch(/cancelled c5c5c5c5/);
  expect(host.output()).not.toMatch(/Cleared the blockers/);
  expect(relationshipPatches(id)).toHaveLength(0);
  expect(customer(id).subscriptions[0]!.status).toBe("suspended");
  const cancel = records().find((r) => r.op === "cancel" && r.phase === "outcome")!;
  expect(cancel).toMatchObject({
    outcome: "unconfirmed",
    after: { status: "suspended" },
    error: { code: "PPC_CHANGE_NOT_APPLIED" },
  });
  expect(records().some((r) => r.outcome === "cancelled")).toBe(false);
});
