/** client/core/schemas.ts: key normalisation before validation. */
import { customerSchema, normalizeKeys, subscriptionSchema } from "../../../provider/src/client/core/schemas";

describe("normalizeKeys", () => {
  test("PascalCase and camelCase parse alike; unknown fields are stripped", () => {
    const pascal = customerSchema.parse(
      normalizeKeys({
        Id: "A",
        CompanyProfile: { CompanyName: "X" },
        RelationshipToPartner: "Reseller",
        Extra: 1,
      }),
    );
    const camel = customerSchema.parse(
      normalizeKeys({ id: "A", companyProfile: { companyName: "X" }, relationshipToPartner: "Reseller" }),
    );
    expect(pascal).toEqual(camel);
    expect(pascal).not.toHaveProperty("extra");
  });

  test("attributes.etag in any casing is read; a top-level etag is not documented and is ignored", () => {
    for (const k of ["ETag", "Etag", "etag", "ETAG"]) {
      const s = subscriptionSchema.parse(
        normalizeKeys({ Id: "s", Status: "Active", [k]: "top", Attributes: { [k]: "e1" } }),
      );
      expect(s.attributes?.etag).toBe("e1");
      expect(s).not.toHaveProperty("etag");
    }
  });

  test("no prototype pollution from __proto__, constructor or prototype keys", () => {
    const hostile = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"Items":[{"__proto__":{"x":1}}]}',
    ) as unknown;
    const out = normalizeKeys(hostile) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(["items"]);
    expect(Object.getPrototypeOf(out)).toBeNull();
  });

  test("the camelCase key wins when both spellings are present", () => {
    expect(normalizeKeys({ Status: "a", status: "b" })).toEqual(
      Object.assign(Object.create(null), { status: "b" }),
    );
    expect(normalizeKeys({ status: "b", Status: "a" })).toEqual(
      Object.assign(Object.create(null), { status: "b" }),
    );
  });
});
