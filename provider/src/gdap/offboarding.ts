/**
 * What ResellerRelationship does about GDAP, behind the option `terminateAdminRelationshipsOnRemoval`:
 * the two calls its dynamic module makes (dynamic.ts, lines marked "GDAP").
 *
 * Why after the reseller removal, not before: a removal blocked by subscriptions or reserved instances changes
 * nothing, and "Nothing was changed" must stay true; terminating admin access first would leave a customer
 * still billed by the partner whose tenant the partner can no longer administer. If the GDAP step fails after a
 * confirmed removal, the resource stays in the stack and the next run (the customer already gone) only ends
 * the admin relationships. All of the customer's relationships are ended, not only those Pulumi created: a
 * partner offboarding a customer must not keep admin roles in the ex-customer's tenant through a relationship
 * created by hand or by another tool, and pending ones (created, approvalPending) are ended too, since their
 * approval link would still work.
 */
import type { GraphClient } from "./graph";
import {
  adminAccessOf,
  endAdminAccess,
  ENDING,
  stillGranting,
  type AdminRelationshipSummary,
  type Logger,
} from "./relationships";

/**
 * The provider's Graph client, made when first needed (the caller's wiring, with its audit view): making it can
 * fail (a refused Graph endpoint), and a refresh reports that failure as it does a Graph outage.
 */
export type ProviderGraph = () => Promise<GraphClient>;

/**
 * The customer's delegated admin relationships for refresh (each once, never another customer's), or undefined
 * (with a log line) when Graph cannot be read: the reseller relationship's own refresh does not fail on a Graph
 * outage.
 */
export async function adminAccessReport(
  graph: ProviderGraph,
  customerId: string,
  log: Logger,
): Promise<AdminRelationshipSummary[] | undefined> {
  try {
    const all = await adminAccessOf(await graph(), customerId, log);
    const open = stillGranting(all);
    const ending = all.filter((r) => ENDING.has(r.status));
    const name = (r: AdminRelationshipSummary) => `${r.displayName} (${r.status})`;
    log(
      [
        open.length
          ? `admin access remains through ${open.length} delegated admin relationship(s): ${open.map(name).join(", ")}.`
          : "no delegated admin relationship grants admin access, or is waiting to.",
        ending.length
          ? `${ending.length} termination(s) requested and not finished by Microsoft Graph, access continuing until they are: ${ending.map(name).join(", ")}.`
          : "",
      ]
        .filter(Boolean)
        .join(" "),
    );
    return all;
  } catch (e) {
    log(
      `could not read delegated admin relationships from Microsoft Graph: ${e instanceof Error ? e.message : String(e)}`,
    );
    return undefined;
  }
}

/**
 * Refresh of a resource whose reseller relationship is gone, with `terminateAdminRelationshipsOnRemoval` true:
 * what the removal still has to end. `undefined` when Graph cannot be read (then nothing proves the GDAP step
 * done, so the resource stays); else the customer's relationships, of which `open` still grant or may come to
 * grant admin access. Terminations Graph accepted but has not finished need nothing more from us: not open.
 */
export async function unfinishedAdminAccess(
  graph: ProviderGraph,
  customerId: string,
  log: Logger,
): Promise<{ all: AdminRelationshipSummary[]; open: AdminRelationshipSummary[] } | undefined> {
  const all = await adminAccessReport(graph, customerId, log);
  return all === undefined ? undefined : { all, open: stillGranting(all) };
}

/** Ends every delegated admin relationship of the customer that has not ended; throws what remains. */
export async function offboardAdminAccess(
  graph: ProviderGraph,
  customerId: string,
  log: Logger,
): Promise<void> {
  await endAdminAccess(await graph(), customerId, log);
}
