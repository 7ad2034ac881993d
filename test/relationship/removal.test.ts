/**
 * relationship/removal.ts against the emulator on loopback: adopting a relationship, and the removal sequence
 * itself: the check, clearing with the cancel and suspend opt-ins (all or nothing), the PATCH to `none` and
 * what each answer to it means, the confirmation by GET, and the write-ahead intent on record before each write.
 */
import { SAMPLE_CUSTOMERS, SAMPLE_SUBSCRIPTIONS } from "../../packages/emulator/src";
import { auditedClient } from "../../provider/src/audit/audited-client";
import { Operation } from "../../provider/src/audit/operation";
import {
  ChangeNotAppliedError,
  RelationshipNotEstablishedError,
  RemovalBlockedError,
  RemovalNotPermittedError,
  RemovalRefusedError,
  RemovalUnconfirmedError,
} from "../../provider/src/errors";
import { findBlockers } from "../../provider/src/relationship/blockers";
import { adopt, planClearing, remove } from "../../provider/src/relationship/removal";
import { MemoryWriter } from "../audit/helpers";
import { caught, emulatorAndClient, settingsFor } from "../client/helpers";
import { sleep } from "../emulator/helpers";

const shared = emulatorAndClient();

const CLEAN = SAMPLE_CUSTOMERS.clean;
const FABRIKAM = SAMPLE_CUSTOMERS.activeSubscriptions;
const FOURTH_COFFEE = SAMPLE_CUSTOMERS.newCommerceInWindow;
const WOODGROVE = SAMPLE_CUSTOMERS.noRelationship;
const BOTH = { suspendActiveSubscriptions: true, cancelNewCommerceSubscriptionsInWindow: true };
const FAST = { confirmTimeoutMs: 2_000, confirmIntervalMs: 5 };

const requests = () => shared.em.requests().map((r) => `${r.method} ${r.path}`);
const patches = () => shared.em.requests().filter((r) => r.method === "PATCH");
const customer = (id: string) => shared.em.state().customers.find((c) => c.id === id)!;
const statusOf = (id: string, sub: string) => customer(id).subscriptions.find((s) => s.id === sub)!.status;
const relationshipPatch = (id: string) => ({ method: "PATCH", path: `^/v1/customers/${id}$` });
const customerGet = (id: string) => ({ method: "GET", path: `^/v1/customers/${id}$` });
function logged(): { lines: string[]; log: (l: string) => void } {
  const lines: string[] = [];
  return { lines, log: (l) => lines.push(l) };
}

describe("adopt", () => {
  test("a reseller customer is adopted with its one GET", async () => {
    const c = await adopt(shared.client, CLEAN);
    expect(c).toMatchObject({ id: CLEAN, relationshipToPartner: "reseller" });
    expect(requests()).toEqual([`GET /v1/customers/${CLEAN}`]);
  });

  test("no relationship: the invitation link for the indirect reseller given, in a typed error", async () => {
    const reseller = "0c0c0c0c-0000-4000-8000-00000000000c";
    const e = await caught(adopt(shared.client, WOODGROVE, { indirectResellerId: reseller }));
    expect(e).toBeInstanceOf(RelationshipNotEstablishedError);
    const { invitationUrl } = e as RelationshipNotEstablishedError;
    expect(e).toMatchObject({ code: "PPC_RELATIONSHIP_NOT_ESTABLISHED", customerId: WOODGROVE });
    expect(invitationUrl).toMatch(/^https:\/\/admin\.microsoft\.com\/.*indirectCSPId=0c0c0c0c-/);
    expect((e as Error).message).toContain(invitationUrl);
    expect((e as Error).message).toMatch(/run `pulumi up` again, or set acceptanceTimeoutSeconds/);
    expect(shared.em.requests().at(-1)!.query).toBe(`indirectResellerId=${reseller}`);
  });

  test("with acceptanceTimeoutSeconds: the link is logged and the customer polled until it accepts, or the time runs out", async () => {
    const late = await caught(adopt(shared.client, WOODGROVE, { acceptanceTimeoutSeconds: 0.05 }));
    expect((late as Error).message).toMatch(/did not accept within 0.05 s/);

    const { lines, log } = logged();
    const waiting = adopt(shared.client, WOODGROVE, { acceptanceTimeoutSeconds: 30, pollIntervalMs: 5, log });
    const gets = () => requests().filter((r) => r === `GET /v1/customers/${WOODGROVE}`).length;
    const before = gets();
    for (const end = Date.now() + 5_000; gets() < before + 3 && Date.now() < end;) await sleep(5);
    shared.em.acceptInvitation(WOODGROVE);
    expect(await waiting).toMatchObject({ id: WOODGROVE, relationshipToPartner: "reseller" });
    expect(lines).toEqual([
      expect.stringMatching(
        /Send this invitation link .*https:\/\/admin\.microsoft\.com\/.* waiting up to 30 s/,
      ),
    ]);
  });
});

describe("remove: the check before any change", () => {
  test("nothing blocks: both lists read, then one PATCH to none, confirmed by its answer; the result names its MS-RequestId", async () => {
    const { lines, log } = logged();
    const r = await remove(shared.client, CLEAN, { log });
    expect(r).toEqual({ outcome: "removed", suspended: [], cancelled: [], requestId: expect.any(String) });
    const sent = requests();
    const patch = `PATCH /v1/customers/${CLEAN}`;
    expect(sent.slice(0, -1).sort()).toEqual([
      // Reservations are read twice: the legacy VM reservations only show with their own filter.
      `GET /v1/customers/${CLEAN}/entitlements`,
      `GET /v1/customers/${CLEAN}/entitlements`,
      `GET /v1/customers/${CLEAN}/subscriptions`,
    ]);
    // The PATCH last, and no GET after it: its answer showed none.
    expect(sent.at(-1)).toBe(patch);
    expect(shared.em.requests().at(-1)!.requestId).toBe(r.requestId);
    expect(customer(CLEAN).relationshipToPartner).toBe("none");
    expect(lines).toEqual([
      `Removed the reseller relationship with customer ${CLEAN}: Partner Center confirmed none (MS-RequestId ${r.requestId}).`,
    ]);
  });

  test("without the opt-ins, active subscriptions block: a typed error naming each, and nothing is sent", async () => {
    const e = await caught(remove(shared.client, FABRIKAM));
    expect(e).toBeInstanceOf(RemovalBlockedError);
    expect((e as RemovalBlockedError).blockers.map((b) => b.id)).toEqual([
      SAMPLE_SUBSCRIPTIONS.legacyE3,
      SAMPLE_SUBSCRIPTIONS.businessPremiumNce,
    ]);
    expect((e as Error).message).toMatch(/Nothing was changed/);
    expect(patches()).toEqual([]);
  });

  test("planClearing: cancellations and suspensions only when every blocker can be cleared; otherwise why not", async () => {
    const subs = await shared.client.subscriptions.list(FABRIKAM);
    const blockers = findBlockers(subs, await shared.client.entitlements.list(FABRIKAM));
    const plan = await planClearing(shared.client, FABRIKAM, subs, blockers, BOTH);
    expect(plan).toEqual({
      cancel: [expect.objectContaining({ id: SAMPLE_SUBSCRIPTIONS.businessPremiumNce })],
      suspend: [expect.objectContaining({ id: SAMPLE_SUBSCRIPTIONS.legacyE3 })],
    });
    // One opt-in clears one of the two: all or nothing, so none.
    const some = await planClearing(shared.client, FABRIKAM, subs, blockers, {
      suspendActiveSubscriptions: true,
    });
    expect(some).toBe(
      ` The provider could clear 1 of them with the options set, but not ${SAMPLE_SUBSCRIPTIONS.businessPremiumNce}, so it changed none.`,
    );
    expect(await planClearing(shared.client, FABRIKAM, subs, blockers, {})).toBe("");
    // An Azure plan is suspended only when none of its Azure subscriptions is active: it reads them to know.
    const tailspin = SAMPLE_CUSTOMERS.azurePlan;
    const planSubs = await shared.client.subscriptions.list(tailspin);
    const inUse = await planClearing(shared.client, tailspin, planSubs, findBlockers(planSubs, []), BOTH);
    expect(inUse).toMatch(/An Azure plan still has active Azure subscriptions .*900115.*changed nothing/);
    expect(requests()).toContain(
      `GET /v1/customers/${tailspin}/subscriptions/${SAMPLE_SUBSCRIPTIONS.azurePlan}/azureEntitlements`,
    );
    expect(patches()).toEqual([]);
  });
});

describe("remove: clearing with the opt-ins", () => {
  test("cancellations first, then suspensions, a fresh check of both lists, then the PATCH", async () => {
    const { lines, log } = logged();
    const r = await remove(shared.client, FABRIKAM, { ...BOTH, log });
    expect(r).toMatchObject({
      outcome: "removed",
      cancelled: [SAMPLE_SUBSCRIPTIONS.businessPremiumNce],
      suspended: [SAMPLE_SUBSCRIPTIONS.legacyE3],
    });
    const subs = `/v1/customers/${FABRIKAM}/subscriptions`;
    const lists = [`GET ${subs}`, `GET /v1/customers/${FABRIKAM}/entitlements`];
    const sent = requests();
    const writes = sent.filter((x) => x.startsWith("PATCH"));
    expect(writes).toEqual([
      `PATCH ${subs}/${SAMPLE_SUBSCRIPTIONS.businessPremiumNce}`,
      `PATCH ${subs}/${SAMPLE_SUBSCRIPTIONS.legacyE3}`,
      `PATCH /v1/customers/${FABRIKAM}`,
    ]);
    // Both lists before the first change, and again between the last change and the relationship PATCH.
    const first = sent.indexOf(writes[0]!);
    const last = sent.indexOf(writes[2]!);
    expect(sent.slice(0, first)).toEqual(expect.arrayContaining(lists));
    expect(sent.slice(sent.indexOf(writes[1]!) + 1, last)).toEqual(expect.arrayContaining(lists));
    expect(statusOf(FABRIKAM, SAMPLE_SUBSCRIPTIONS.businessPremiumNce)).toBe("deleted");
    expect(statusOf(FABRIKAM, SAMPLE_SUBSCRIPTIONS.legacyE3)).toBe("suspended");
    expect(customer(FABRIKAM).relationshipToPartner).toBe("none");
    expect(lines[0]).toBe(
      `Cleared the blockers of customer ${FABRIKAM}: cancelled ${SAMPLE_SUBSCRIPTIONS.businessPremiumNce} "Microsoft 365 Business Premium", suspended ${SAMPLE_SUBSCRIPTIONS.legacyE3} "Office 365 E3".`,
    );
    expect(lines[1]).toMatch(
      /after changing subscriptions \(cancelled 22222222-0000-4000-8000-000000000002; suspended 22222222-0000-4000-8000-000000000001\)/,
    );
  });

  test("the fresh check still finds a blocker: blocked, naming what was already changed; no relationship PATCH", async () => {
    // A subscription bought while the provider was clearing: the second list shows it.
    const late = { id: "late-1", status: "active", offerName: "Bought meanwhile" };
    const log = (line: string) => {
      if (line.startsWith("Cleared the blockers")) {
        shared.em.addFault({
          match: { method: "GET", path: `/v1/customers/${FABRIKAM}/subscriptions$` },
          kind: "body",
          body: { totalCount: 1, items: [late], attributes: { objectType: "Collection" } },
        });
      }
    };
    const e = await caught(remove(shared.client, FABRIKAM, { ...BOTH, log }));
    expect(e).toBeInstanceOf(RemovalBlockedError);
    expect((e as RemovalBlockedError).blockers.map((b) => b.id)).toEqual(["late-1"]);
    expect((e as Error).message).toContain(
      `(Already changed: cancelled ${SAMPLE_SUBSCRIPTIONS.businessPremiumNce}; suspended ${SAMPLE_SUBSCRIPTIONS.legacyE3}.)`,
    );
    expect((e as Error).message).toMatch(/The relationship was not removed\./);
    expect((e as Error).message).not.toMatch(/Nothing was changed/);
    expect(patches().map((p) => p.path)).not.toContain(`/v1/customers/${FABRIKAM}`);
    expect(customer(FABRIKAM).relationshipToPartner).toBe("reseller");
  });

  test("a cancellation answered with success but not applied: PPC_CHANGE_NOT_APPLIED, not counted, nothing more sent", async () => {
    const nce = SAMPLE_SUBSCRIPTIONS.fourthCoffeeNce;
    shared.em.addFault({
      match: { method: "PATCH", path: `/subscriptions/${nce}` },
      kind: "body",
      body: { id: nce, status: "active", attributes: { objectType: "Subscription" } },
    });
    const e = await caught(remove(shared.client, FOURTH_COFFEE, BOTH));
    expect(e).toBeInstanceOf(ChangeNotAppliedError);
    expect(e).toMatchObject({ code: "PPC_CHANGE_NOT_APPLIED", subscriptionId: nce });
    expect((e as Error).message).toMatch(/Nothing else was changed; the relationship was not removed\./);
    expect(patches()).toHaveLength(1); // the software subscription is not touched, the relationship neither
    expect(statusOf(FOURTH_COFFEE, SAMPLE_SUBSCRIPTIONS.fourthCoffeeSoftware)).toBe("active");
  });

  test("a change that fails after another was made: the error and a log line name what was already changed", async () => {
    const software = SAMPLE_SUBSCRIPTIONS.fourthCoffeeSoftware;
    shared.em.addFault({
      match: { method: "PATCH", path: `/subscriptions/${software}` },
      kind: "status",
      status: 400,
      code: "800002",
      description: "Not now.",
    });
    const { lines, log } = logged();
    const e = await caught(remove(shared.client, FOURTH_COFFEE, { ...BOTH, log }));
    const what = `Already changed before cancelling ${software} failed: cancelled ${SAMPLE_SUBSCRIPTIONS.fourthCoffeeNce}; the relationship was not removed.`;
    expect(e).toMatchObject({ status: 400, partnerCenterCode: "800002" });
    expect((e as Error).message).toContain(what);
    expect(lines).toEqual([what]);
    expect(statusOf(FOURTH_COFFEE, SAMPLE_SUBSCRIPTIONS.fourthCoffeeNce)).toBe("deleted");
    expect(customer(FOURTH_COFFEE).relationshipToPartner).toBe("reseller");
  });
});

describe("remove: the answers to the relationship PATCH", () => {
  test.each([
    ["another 4xx (409)", { status: 409, code: "409" }, RemovalRefusedError, "PPC_REMOVAL_REFUSED", 0, ""],
    [
      "a 403 other than 20002",
      { status: 403, code: "403" },
      RemovalNotPermittedError,
      "PPC_REMOVAL_NOT_PERMITTED",
      0,
      "",
    ],
    [
      "403 20002, while a GET still shows reseller",
      { status: 403, code: "20002" },
      RemovalRefusedError,
      "PPC_REMOVAL_REFUSED",
      1,
      ', and a GET still shows relationship "reseller"',
    ],
  ])(
    "%s to the first attempt: a typed refusal, sent once, relationship kept",
    async (_n, answer, type, code, gets, confirmation) => {
      shared.em.addFault({ match: relationshipPatch(CLEAN), kind: "status", ...answer });
      const e = await caught(remove(shared.client, CLEAN, FAST));
      expect(e).toBeInstanceOf(type);
      expect(e).toMatchObject({
        code,
        status: answer.status,
        partnerCenterCode: answer.code,
        customerId: CLEAN,
      });
      const message = (e as Error).message;
      expect(message).toContain(`${CLEAN}${confirmation}. Nothing was changed.`);
      // Status, code and description once, where every Partner Center error gives them.
      expect(message).toContain(
        `[PATCH /v1/customers/${CLEAN}; HTTP ${answer.status}; Partner Center code ${answer.code}; "Injected fault: HTTP ${answer.status}."`,
      );
      expect(message.split(`HTTP ${answer.status}`)).toHaveLength(3); // the suffix, and the description's own text
      // Only an answer that may mean "not there" is checked with a GET.
      expect(requests().filter((x) => x === `GET /v1/customers/${CLEAN}`)).toHaveLength(gets);
      expect(patches()).toHaveLength(1);
      expect(customer(CLEAN).relationshipToPartner).toBe("reseller");
    },
  );

  test("403 20002 and the GET shows the customer gone: already gone, with the PATCH's MS-RequestId", async () => {
    shared.em.addFault([
      { match: relationshipPatch(CLEAN), kind: "status", status: 403, code: "20002" },
      { match: customerGet(CLEAN), kind: "status", status: 404, code: "1000" },
    ]);
    const { lines, log } = logged();
    const r = await remove(shared.client, CLEAN, { ...FAST, log });
    expect(r).toEqual({
      outcome: "alreadyGone",
      suspended: [],
      cancelled: [],
      requestId: patches()[0]!.requestId,
    });
    expect(lines).toEqual([
      expect.stringMatching(
        /answered the removal with HTTP 403 code 20002.*already gone \(customer not found\)/,
      ),
    ]);
  });

  test("a gone answer whose confirming GET fails: a refusal that says so", async () => {
    shared.em.addFault([
      { match: relationshipPatch(CLEAN), kind: "status", status: 404, code: "1000" },
      { match: customerGet(CLEAN), kind: "status", status: 400, code: "2001", description: "Bad." },
    ]);
    const e = await caught(remove(shared.client, CLEAN, FAST));
    expect(e).toBeInstanceOf(RemovalRefusedError);
    expect((e as Error).message).toMatch(
      /; the GET that should have confirmed it failed: .*\[PATCH [^\]]*HTTP 404; Partner Center code 1000;/,
    );
  });

  test("a refusal after clearing names the changes made before the PATCH", async () => {
    shared.em.addFault({ match: relationshipPatch(FABRIKAM), kind: "status", status: 409, code: "409" });
    const e = await caught(remove(shared.client, FABRIKAM, { ...BOTH, ...FAST }));
    expect(e).toBeInstanceOf(RemovalRefusedError);
    expect((e as Error).message).toContain(
      `Already changed before the PATCH: cancelled ${SAMPLE_SUBSCRIPTIONS.businessPremiumNce}; suspended ${SAMPLE_SUBSCRIPTIONS.legacyE3}.`,
    );
  });

  test("the answer lost and the confirming GET failing: unconfirmed, naming both, the PATCH not sent a third time", async () => {
    shared.em.addFault([
      { match: relationshipPatch(CLEAN), kind: "resetAfterApply" },
      { match: customerGet(CLEAN), kind: "status", status: 400, code: "2001", description: "Bad." },
    ]);
    const e = await caught(remove(shared.client, CLEAN, FAST));
    expect(e).toBeInstanceOf(RemovalUnconfirmedError);
    expect((e as Error).message).toMatch(/could not be confirmed: .*; the check that followed failed: /);
    // The lost attempt and the transport's retry (answered 400 3000: no replay); then GETs only.
    expect(patches()).toHaveLength(2);
  });
});

test("write-ahead: each write of the sequence has its intent on record before it is sent", async () => {
  const seen: { op: string; requestId: string; patchesBefore: number }[] = [];
  const writer = new MemoryWriter(async (r) => {
    if (r.phase !== "intent") return;
    // Were the write sent without waiting for its record, it would reach the emulator during this pause.
    await sleep(30);
    seen.push({ op: r.op, requestId: r.requests[0]!.requestId, patchesBefore: patches().length });
  });
  const op = new Operation(writer, settingsFor(shared.em), { op: "removal", customerId: FABRIKAM, ...BOTH });
  await remove(auditedClient(shared.client, op), FABRIKAM, BOTH);
  expect(seen.map((s) => [s.op, s.patchesBefore])).toEqual([
    ["cancel", 0],
    ["suspend", 1],
    ["removal", 2],
  ]);
  expect(patches().map((p) => p.requestId)).toEqual(seen.map((s) => s.requestId));
  // The check on record before the first intent; each change's outcome before the next write's intent.
  expect(writer.records.map((r) => r.phase)).toEqual([
    "checked",
    "intent",
    "outcome",
    "intent",
    "outcome",
    "intent",
  ]);
});
