/**
 * A Pulumi bulk import file (`pulumi import --file FILE`) from an estate file: one
 * `partnercenter:index:ResellerRelationship` of the provider plugin per customer, named as in the estate and
 * identified by the customer's tenant id (what the plugin's Read adopts with GETs only).
 *
 * The format is the Pulumi CLI's (`pulumi import --help`; "Importing resources", Bulk import operations,
 * https://www.pulumi.com/docs/iac/guides/migration/import/): `{"resources": [{"type", "name", "id"}]}`, with
 * optional `parent`/`provider` names resolved through `nameTable`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PLUGIN_TYPES } from "../type-tokens";

export interface ImportSpec {
  type: string;
  name: string;
  id: string;
  parent?: string;
  provider?: string;
}

export interface ImportFile {
  nameTable?: Record<string, string>;
  resources: ImportSpec[];
}

interface EstateEntryLike {
  name?: unknown;
  customerId?: unknown;
  state?: unknown;
  goneFromPartnerCenter?: unknown;
}

/**
 * The import file for an estate document: every customer Partner Center still lists, except those marked
 * `state: offboard` (adopting a customer on its way out would only protect it against its own offboarding).
 * `provider`, when given, is an explicit provider instance's URN: every resource is imported under it.
 */
export function importFileFromEstate(
  estate: { customers?: readonly EstateEntryLike[] },
  opts: { provider?: string } = {},
): ImportFile {
  const resources: ImportSpec[] = (estate.customers ?? [])
    .filter((c) => c.goneFromPartnerCenter === undefined && c.state !== "offboard")
    .map((c) => ({
      type: PLUGIN_TYPES.reseller,
      name: String(c.name),
      id: String(c.customerId).toLowerCase(),
      ...(opts.provider !== undefined && { provider: "partnercenter" }),
    }));
  return opts.provider !== undefined
    ? { nameTable: { partnercenter: opts.provider }, resources }
    : { resources };
}

/** Why `urn` cannot be the provider of the imported resources, or undefined when it can. */
export function providerUrnProblem(urn: string): string | undefined {
  // urn:pulumi:<stack>::<project>::pulumi:providers:partnercenter::<name> ("Resource names", URNs,
  // https://www.pulumi.com/docs/iac/concepts/resources/names/#urns)
  return /^urn:pulumi:[^:]+::[^:]+::pulumi:providers:partnercenter::./.test(urn)
    ? undefined
    : `--import-provider takes the URN of a partnercenter provider instance, like urn:pulumi:dev::estate::pulumi:providers:partnercenter::tenantA (see \`pulumi stack --show-urns\`); got "${urn}"`;
}

/** Writes `doc` as JSON beside `file` and renames it there: a failure never leaves half a file. */
export function writeJsonFile(file: string, doc: unknown): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
