/**
 * A small Pulumi program under `pulumi.runtime.setMocks`: the engine is mocked (it cannot run here), but the
 * resource's constructor, its type token and the real serialization of its provider run as in `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResellerRelationship } from "pulumi-partner-center";

const seen: pulumi.runtime.MockResourceArgs[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        seen.push(args);
        return {
          id: String(args.inputs.customerId),
          state: { ...args.inputs, relationshipToPartner: "reseller", companyName: "Contoso Clean Ltd" },
        };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    false,
  );
});

function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

test("a program declares ResellerRelationship with its type token, inputs and outputs", async () => {
  const r = new ResellerRelationship("contoso", {
    customerId: "11111111-1111-4111-8111-111111111111",
    suspendActiveSubscriptions: true,
  });
  expect(await value(r.relationshipToPartner)).toBe("reseller");
  expect(await value(r.companyName)).toBe("Contoso Clean Ltd");
  expect(await value(r.customerId)).toBe("11111111-1111-4111-8111-111111111111");
  const args = seen.find((a) => a.name === "contoso")!;
  expect(args.type).toBe("pulumi-nodejs:dynamic/partnercenter:ResellerRelationship");
  expect(args.inputs.suspendActiveSubscriptions).toBe(true);
  // Outputs are declared on the resource object so programs can use them.
  for (const k of ["domain", "removable", "removalBlockers", "relationshipToPartner"]) {
    expect(pulumi.Output.isInstance((r as unknown as Record<string, unknown>)[k])).toBe(true);
  }
  const text = args.inputs.__provider as string;
  expect(text.length).toBeLessThan(4096);
  expect(text).toContain('require("pulumi-partner-center/dynamic")');
});

test("two resources share one identical provider text (one host-side cache entry)", async () => {
  const a = new ResellerRelationship("a", { customerId: "22222222-2222-4222-8222-222222222222" });
  const b = new ResellerRelationship("b", { customerId: "33333333-3333-4333-8333-333333333333" });
  await Promise.all([value(a.urn), value(b.urn)]);
  const texts = seen.filter((s) => s.name === "a" || s.name === "b").map((s) => s.inputs.__provider);
  expect(texts[0]).toBe(texts[1]);
});
