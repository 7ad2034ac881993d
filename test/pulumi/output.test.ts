/**
 * What the user reads: the real Pulumi CLI's output for the documented example (docs/resources/reseller-relationship.md), a failed `up`, a blocked
 * destroy and a refresh, through the dynamic provider host and through the provider plugin.
 * `npm run test:pulumi`; not part of `npm test`.
 */
import { SAMPLE_CUSTOMERS as ID } from "pulumi-partner-center-emulator";
import * as path from "node:path";
import { ROOT } from "../support/host";
import { cliSuite, projectFiles, Stack } from "../support/pulumi";

const suite = cliSuite();

/** The documented example, one resource per `customers` entry, exporting the first one's readiness. */
const README_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { ResellerRelationship, getResellerInvitationUrl } from "pulumi-partner-center";

const customers = new pulumi.Config().requireObject<{ name: string; customerId: string }[]>("customers");
const all = customers.map((c) => new ResellerRelationship(c.name, { customerId: c.customerId, suspendActiveSubscriptions: false }));

export const removable = all[0]!.removable; // after \`pulumi refresh\`
export const removalBlockers = all[0]!.removalBlockers;
export const invitation = getResellerInvitationUrl();
`;

async function readmeStack(customers: { name: string; customerId: string }[]): Promise<Stack> {
  const files = projectFiles(path.join(__dirname, "program"));
  const s = await Stack.create(suite.env, {
    files: { ...files, "index.ts": README_PROGRAM },
    emulatorUrl: suite.emulator.url,
    config: { customers: JSON.stringify(customers) },
  });
  suite.stacks.push(s);
  return s;
}

const count = (text: string, part: string) => text.split(part).length - 1;

test("the README example: no undefined-output warning, before or after a failed up", async () => {
  const s = await readmeStack([
    { name: "contoso", customerId: ID.clean },
    { name: "woodgrove", customerId: ID.noRelationship },
  ]);
  // With its preview phase, as users run it; Woodgrove has no relationship, so the up fails.
  const first = await s.pulumi(["up", "--yes"]);
  expect(first.code).not.toBe(0);
  expect(first.out).toMatch(/invType=ResellerRelationship/);
  const again = await s.pulumi(["up", "--yes"]);
  expect(again.code).not.toBe(0);
  for (const out of [first.out, again.out]) {
    expect(out).not.toMatch(/Undefined value/);
    expect(out).not.toMatch(/Channel has been shut down|failed to deliver log message/);
  }
  // The provider's line under its resource, not under the stack.
  expect(first.out).toMatch(
    new RegExp(
      `ResellerRelationship \\(contoso\\):\\s+partnercenter ${ID.clean}: adopted the reseller relationship`,
    ),
  );
  expect(first.out).not.toMatch(
    new RegExp(`pulumi:pulumi:Stack \\([^)]*\\):\\s+(info: \\[runtime\\] )?partnercenter`),
  );
  // Present and honest: not assessed yet (null), never claimed removable by an adoption.
  const [contoso] = (await s.resources("pulumi-nodejs:dynamic/partnercenter:ResellerRelationship")).filter(
    (r) => r.id === ID.clean,
  );
  expect(contoso?.outputs).toMatchObject({ removable: null, removalBlockers: null });
  await s.ok(["refresh", "--yes", "--skip-preview"]);
  const outputs = await s.ok(["up", "--yes", "--skip-preview", "--target", contoso!.urn]);
  expect(outputs).not.toMatch(/Undefined value/);
  expect(JSON.parse(await s.ok(["stack", "output", "--json"]))).toMatchObject({
    removable: true,
    removalBlockers: [],
  });
});

test("a blocked destroy shows its failure once; refresh stores changed readiness but reports it unchanged", async () => {
  const s = await readmeStack([
    { name: "adatum", customerId: ID.legacyReservedInstance },
    { name: "contoso", customerId: ID.clean },
  ]);
  await s.ok(["up", "--yes", "--skip-preview"]);

  // Refresh changes removable from null to false (Adatum) and true (Contoso). The engine (3.274.1) shows a
  // refresh as the provider's Diff of the refreshed inputs against the stored ones, and readiness is no input:
  // "unchanged". With PULUMI_ENABLE_LEGACY_REFRESH_DIFF=true it compares outputs, and shows the change.
  const refresh = await s.pulumi(["refresh", "--yes", "--skip-preview"]);
  expect(refresh.code).toBe(0);
  expect(refresh.out).toMatch(/3 unchanged/); // the stack and both relationships
  // ...and stored: the refreshed readiness is in the state (the legacy diff is the next test's).
  const adatum = (await s.resources("pulumi-nodejs:dynamic/partnercenter:ResellerRelationship")).find(
    (r) => r.id === ID.legacyReservedInstance,
  );
  expect(adatum?.outputs).toMatchObject({ removable: false });

  const destroy = await s.pulumi(["destroy", "--yes", "--skip-preview"]);
  expect(destroy.code).not.toBe(0);
  // The blocker's next step is in the failure's message; the message is shown once, under the resource.
  expect(count(destroy.out, "cancel this Azure reservation through Azure support")).toBe(1);
  expect(destroy.out).not.toMatch(/RemovalBlockedError/);
  expect(destroy.out).toMatch(
    /ResellerRelationship \(adatum\):\s+error: The reseller relationship with Adatum Legacy RI/,
  );
});

/** The CLI's "Diagnostics:" section: each resource's lines, keyed by its heading ("<type> (<name>)"). */
function diagnostics(out: string): Record<string, string> {
  const under: Record<string, string> = {};
  let current: string | undefined;
  for (const line of (out.split(/^Diagnostics:$/m)[1] ?? "").split("\n").slice(1)) {
    if (/^\S/.test(line)) break;
    const heading = /^ {2}(\S.*):$/.exec(line);
    if (heading) under[(current = heading[1]!)] = "";
    else if (current) under[current] += `${line.trim()}\n`;
  }
  return under;
}

test("the dynamic provider host shows a removal's lines under the removed resource, none under the stack", async () => {
  const s = await readmeStack([{ name: "contoso", customerId: ID.clean }]);
  await s.ok(["up", "--yes", "--skip-preview"]);
  // Destroy's provider process starts with this delete: the first call it serves.
  const under = diagnostics(await s.ok(["destroy", "--yes", "--skip-preview"]));
  expect(under["pulumi-nodejs:dynamic/partnercenter:ResellerRelationship (contoso)"]).toMatch(
    new RegExp(`^partnercenter ${ID.clean}: [^\\n]*Removed the reseller relationship`, "m"),
  );
  const stack = Object.keys(under).filter((k) => k.startsWith("pulumi:pulumi:Stack"));
  for (const k of stack) expect(under[k]).not.toMatch(/partnercenter/);
});

test("legacy refresh diff: a readiness change refresh finds is shown as an update", async () => {
  const s = await readmeStack([{ name: "contoso", customerId: ID.clean }]);
  await s.ok(["up", "--yes", "--skip-preview"]);
  const legacy = await s.pulumi(["refresh", "--yes", "--skip-preview"], {
    PULUMI_ENABLE_LEGACY_REFRESH_DIFF: "true",
  });
  expect(legacy.code).toBe(0);
  expect(legacy.out).toMatch(/~\s+pulumi-nodejs:dynamic\/partnercenter:ResellerRelationship contoso updated/);
});

test("the provider plugin attributes its log lines to their resource", async () => {
  const yaml = [
    "name: partnercenter-yaml",
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: partnercenter",
    `      path: ${path.join(ROOT, "provider", "bin")}`,
    "resources:",
    "  contoso:",
    "    type: partnercenter:index:ResellerRelationship",
    "    properties:",
    `      customerId: ${ID.clean}`,
    "outputs:",
    "  removable: ${contoso.removable}",
  ].join("\n");
  const s = await Stack.create(suite.env, {
    files: { "Pulumi.yaml": yaml },
    emulatorUrl: suite.emulator.url,
  });
  suite.stacks.push(s);
  const up = await s.ok(["up", "--yes", "--skip-preview"]);
  // Under the resource in the diagnostics, not under the stack.
  expect(up).toMatch(
    /partnercenter:index:ResellerRelationship \(contoso\):\s+partnercenter 11111111-1111-4111-8111-111111111111: adopted the reseller relationship/,
  );
  expect(up).not.toMatch(/pulumi:pulumi:Stack \([^)]*\):\s+partnercenter 1111/);
});
