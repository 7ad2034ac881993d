/**
 * relationship/readiness.ts: the read-only assessment of whether a reseller relationship can be removed, against
 * the emulator on loopback; and its helpers: which answers mean "gone", and settling sibling calls.
 */
import { SAMPLE_CUSTOMERS } from "../../packages/emulator/src";
import { NotFoundError, PartnerCenterError } from "../../provider/src/errors";
import {
  assessReadiness,
  firstError,
  isGoneAnswer,
  orGone,
  settle,
} from "../../provider/src/relationship/readiness";
import { caught, emulatorAndClient } from "../client/helpers";

describe("isGoneAnswer and orGone", () => {
  test("only a 404 with code 1000 or 60003, or a 403 with code 20002, means the customer is gone", () => {
    expect(isGoneAnswer(new NotFoundError("x", { status: 404, partnerCenterCode: "1000" }))).toBe(true);
    expect(isGoneAnswer(new NotFoundError("x", { status: 404, partnerCenterCode: "60003" }))).toBe(true);
    expect(isGoneAnswer(new NotFoundError("x", { status: 403, partnerCenterCode: "20002" }))).toBe(true);
    // A 404 without Partner Center's code could be a route or a proxy: not proof.
    expect(isGoneAnswer(new NotFoundError("x", { status: 404 }))).toBe(false);
    expect(isGoneAnswer(new NotFoundError("x", { status: 404, partnerCenterCode: "2000" }))).toBe(false);
    expect(isGoneAnswer(new Error("404"))).toBe(false);
  });

  test("orGone: undefined for a gone answer, the error itself otherwise", async () => {
    expect(await orGone(Promise.resolve(1))).toBe(1);
    expect(
      await orGone(Promise.reject(new NotFoundError("x", { status: 404, partnerCenterCode: "1000" }))),
    ).toBeUndefined();
    const other = new NotFoundError("x", { status: 404 });
    await expect(orGone(Promise.reject(other))).rejects.toBe(other);
  });
});

describe("settle", () => {
  test("a tolerated failure leaves the siblings running; any other aborts them with that error", async () => {
    const siblings = new AbortController();
    const tolerated = new NotFoundError("x");
    expect(await settle(Promise.reject(tolerated), siblings, (e) => e instanceof NotFoundError)).toEqual({
      ok: false,
      error: tolerated,
    });
    expect(siblings.signal.aborted).toBe(false);
    const fatal = new Error("boom");
    expect(await settle(Promise.reject(fatal), siblings, () => false)).toEqual({ ok: false, error: fatal });
    expect(siblings.signal.reason).toBe(fatal);
    // The first fatal error stays the reason.
    await settle(Promise.reject(new Error("later")), siblings, () => false);
    expect(siblings.signal.reason).toBe(fatal);
    expect(await settle(Promise.resolve(3), siblings, () => false)).toEqual({ ok: true, value: 3 });
  });

  test("firstError: the first failure in argument order", () => {
    const a = new Error("a");
    const b = new Error("b");
    expect(firstError({ ok: true, value: 1 }, { ok: false, error: a }, { ok: false, error: b })).toBe(a);
    expect(firstError({ ok: true, value: 1 })).toBeUndefined();
  });
});

describe("assessReadiness", () => {
  const shared = emulatorAndClient();

  test("a reseller customer with nothing active is removable", async () => {
    const r = await assessReadiness(shared.client, SAMPLE_CUSTOMERS.clean);
    expect(r).toMatchObject({ gone: false, isReseller: true, removable: true, blockers: [] });
    expect(r.customer?.id).toBe(SAMPLE_CUSTOMERS.clean);
  });

  test("active subscriptions block, each named", async () => {
    const r = await assessReadiness(shared.client, SAMPLE_CUSTOMERS.activeSubscriptions);
    expect(r.removable).toBe(false);
    expect(r.blockers.length).toBeGreaterThanOrEqual(2);
    expect(r.blockers.every((b) => b.kind === "subscription" && b.status.toLowerCase() === "active")).toBe(
      true,
    );
  });

  test("a customer the partner no longer has a relationship with (403, code 20002) is gone", async () => {
    const r = await assessReadiness(shared.client, SAMPLE_CUSTOMERS.noRelationship);
    expect(r).toMatchObject({ gone: true, isReseller: false, removable: false });
  });

  test("an unknown customer is gone: nothing to judge, nothing removable", async () => {
    const r = await assessReadiness(shared.client, "99999999-9999-4999-8999-999999999999");
    expect(r).toMatchObject({ gone: true, customer: undefined, removable: false, blockers: [] });
  });

  test("a list that cannot be read while the customer is there: an error, never a judgement on partial data", async () => {
    shared.em.addFault({
      match: { customerId: SAMPLE_CUSTOMERS.clean, path: "entitlements" },
      kind: "status",
      status: 404,
      code: 1000,
    });
    const e = await caught(assessReadiness(shared.client, SAMPLE_CUSTOMERS.clean));
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as Error).message).toMatch(
      /Could not read the subscriptions or entitlements .*Nothing was changed/,
    );
  });

  test("a call that fails for good aborts the others and is what the caller sees", async () => {
    shared.em.addFault({
      match: { customerId: SAMPLE_CUSTOMERS.paged, path: "subscriptions" },
      kind: "status",
      status: 400,
      code: 2001,
    });
    const e = await caught(assessReadiness(shared.client, SAMPLE_CUSTOMERS.paged));
    expect(e).toBeInstanceOf(PartnerCenterError);
    expect((e as PartnerCenterError).status).toBe(400);
  });
});
