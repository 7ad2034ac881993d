/** relationship/blockers.ts: the pure rules of what blocks removing a reseller relationship. */
import type { Entitlement, Subscription } from "../../provider/src/client";
import { findBlockers, nextStep, normalizeEnum } from "../../provider/src/relationship/blockers";

const sub = (id: string, status: string) =>
  ({ id, status, offerName: `Offer ${id}`, friendlyName: undefined }) as unknown as Subscription;

test("normalizeEnum: casing, compatibility forms and invisible characters cannot hide a value", () => {
  expect(normalizeEnum(" Active ")).toBe("active");
  expect(normalizeEnum("ACT\u200bIVE")).toBe("active");
  expect(normalizeEnum("\uff41ctive")).toBe("active"); // full-width a
  expect(normalizeEnum("act\u202eive")).toBe("active");
});

test("an active subscription blocks, however Partner Center spells the status; ended ones do not", () => {
  const blockers = findBlockers(
    [sub("a", "active"), sub("b", "ACTIVE\u200b"), sub("d", "deleted"), sub("e", "expired")],
    [],
  );
  expect(blockers.map((b) => b.id)).toEqual(["a", "b"]);
  expect(blockers.every((b) => b.kind === "subscription")).toBe(true);
});

test("a status nobody knows blocks (allow-list), so a new one is never let through", () => {
  expect(findBlockers([sub("n", "somethingNew")], []).map((b) => b.id)).toEqual(["n"]);
});

test("a reserved VM instance blocks, with the step only Azure support can take", () => {
  const ri = { entitlementType: "reservedInstance", referenceOrder: { id: "ro" } } as unknown as Entitlement;
  const software = { entitlementType: "software" } as unknown as Entitlement;
  const blockers = findBlockers([], [ri, software]);
  expect(blockers).toHaveLength(1);
  expect(blockers[0]!.kind).toBe("reservedInstance");
  expect(nextStep(blockers[0]!)).toMatch(/Azure support/);
});
