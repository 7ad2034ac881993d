/**
 * `estate plan`: the estate file against the stack's state and the live partner, read only. Who would be
 * adopted, who offboarded (and whether each removal can go ahead now, with its blockers and their dates), entries
 * that left the file without being marked, and GDAP relationships to request or end.
 */
import type { PartnerCenterClient } from "../client";
import type { RemovalBlocker } from "../errors";
import { printable } from "../errors";
import {
  assessReadiness,
  describeBlocker,
  describeClass,
  fitNextSteps,
  isGoneAnswer,
  nextStep,
  planClearing,
  type ClearingOptions,
} from "../relationship";
import type { Estate } from "./format";
import { declare } from "./plan-names";
import { kindOf } from "../type-tokens";

/** A resource of `pulumi stack export` (the fields read here). */
export interface StateResource {
  urn: string;
  type: string;
  protect?: boolean;
  outputs?: Record<string, unknown>;
}

/** The resources of a `pulumi stack export` document. */
export function stateResources(doc: unknown): StateResource[] {
  const d = doc as { deployment?: { resources?: StateResource[] } } | undefined;
  return d?.deployment?.resources ?? [];
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

export interface PlanRow {
  name: string;
  customerId: string;
  companyName?: string | undefined;
  action: "adopt" | "invite" | "offboard" | "alreadyRemoved" | "notInFile" | "gone" | "unreadable";
  /** For an offboarding: can it go ahead now (after the changes below, when any). */
  removable?: boolean;
  /** What still blocks the removal, with the options the removal runs with. */
  blockers?: (RemovalBlocker & { nextStep: string })[];
  /** Why the provider would change nothing although it could clear some blockers (all or nothing). */
  heldBack?: string;
  /** Subscriptions the removal would cancel first (irreversible), then suspend: the provider's own plan. */
  wouldCancel?: { id: string; name: string }[];
  wouldSuspend?: { id: string; name: string }[];
  /** The clearing options the removal runs with: those the stack holds for the resource. */
  options?: Options;
  /** The entry's options differ from those the removal runs with: what that means. */
  optionsNote?: string;
  /** The removal would change subscriptions that the entry does not allow (the stack's options do). */
  unexpectedChanges?: boolean;
  /** The URNs `estate unprotect` lifts protection from (offboarding only). */
  urns?: string[];
  error?: string;
}
export interface GdapRow {
  customer: string;
  displayName: string;
  action: "request" | "end";
}
export interface Plan {
  customers: PlanRow[];
  gdap: GdapRow[];
  unchanged: number;
}

/** The URNs of a customer's resources in the state: its reseller relationship, GDAP relationships, assignments. */
export function urnsOf(resources: readonly StateResource[], customerId: string): string[] {
  const rels = resources.filter(
    (r) =>
      (kindOf(r.type) === "reseller" || kindOf(r.type) === "gdap") && r.outputs?.customerId === customerId,
  );
  const relIds = new Set(rels.map((r) => String(r.outputs?.relationshipId ?? "")));
  const access = resources.filter(
    (r) => kindOf(r.type) === "access" && relIds.has(String(r.outputs?.relationshipId ?? "-")),
  );
  return [...rels, ...access].map((r) => r.urn);
}

/** Computes the plan. Reads the stack's state (given) and Partner Center; changes nothing. */
export async function planEstate(
  client: PartnerCenterClient,
  estate: Estate,
  resources: readonly StateResource[],
): Promise<Plan> {
  const decl = declare(estate);
  const inState = new Map<string, StateResource>();
  for (const r of resources) {
    if (kindOf(r.type) === "reseller" && typeof r.outputs?.customerId === "string")
      inState.set(r.outputs.customerId, r);
  }
  const gdapInState = new Set(
    resources
      .filter((r) => kindOf(r.type) === "gdap")
      .map((r) => `${String(r.outputs?.customerId)}\n${String(r.outputs?.displayName).toLowerCase()}`),
  );
  const rows: PlanRow[] = [];
  const gdap: GdapRow[] = [];
  let unchanged = 0;
  for (const c of decl) {
    const row = { name: c.name, customerId: c.customerId, companyName: c.companyName };
    const held = inState.get(c.customerId);
    if (c.disposition === "gone") {
      if (held) rows.push({ ...row, action: "gone" });
      continue;
    }
    if (c.disposition === "offboard") {
      if (!held) {
        rows.push({ ...row, action: "alreadyRemoved" });
        continue;
      }
      try {
        rows.push(await offboarding(client, c, held, row, urnsOf(resources, c.customerId)));
      } catch (e) {
        rows.push({ ...row, action: "unreadable", error: e instanceof Error ? e.message : String(e) });
      }
      for (const r of resources.filter(
        (x) => kindOf(x.type) === "gdap" && x.outputs?.customerId === c.customerId,
      )) {
        gdap.push({ customer: c.name, displayName: String(r.outputs?.displayName), action: "end" });
      }
      continue;
    }
    for (const r of c.relationships) {
      if (!gdapInState.has(`${c.customerId}\n${r.displayName.toLowerCase()}`)) {
        gdap.push({ customer: c.name, displayName: r.displayName, action: "request" });
      }
    }
    if (held) {
      unchanged++;
      continue;
    }
    try {
      const live = await client.customers.get(c.customerId);
      rows.push({
        ...row,
        companyName: live.companyName ?? c.companyName,
        action: live.relationshipToPartner === "reseller" ? "adopt" : "invite",
      });
    } catch (e) {
      if (isGoneAnswer(e)) rows.push({ ...row, action: "invite" });
      else rows.push({ ...row, action: "unreadable", error: e instanceof Error ? e.message : String(e) });
    }
  }
  const declared = new Set(decl.map((d) => d.customerId));
  for (const [id, r] of inState) {
    if (!declared.has(id)) rows.push({ name: nameOf(r.urn), customerId: id, action: "notInFile" });
  }
  return { customers: rows, gdap, unchanged };
}

type Options = { [K in keyof ClearingOptions]-?: boolean };
const OPTION_KEYS = ["suspendActiveSubscriptions", "cancelNewCommerceSubscriptionsInWindow"] as const;

/** The clearing options in a resource's inputs or outputs (absent: false, as the provider reads them). */
function clearingOptions(from: Record<string, unknown> | undefined): Options {
  return {
    suspendActiveSubscriptions: from?.suspendActiveSubscriptions === true,
    cancelNewCommerceSubscriptionsInWindow: from?.cancelNewCommerceSubscriptionsInWindow === true,
  };
}

/**
 * An offboarding judged as the provider's delete judges it: its blockers, then the provider's own clearing
 * plan ({@link planClearing}) with the options the delete runs with. Those are the options the stack holds
 * for the resource: an entry marked `state: offboard` is not declared any more, so the engine deletes the
 * resource with its last applied inputs, not with what the entry says now.
 */
async function offboarding(
  client: PartnerCenterClient,
  c: { customerId: string; companyName: string | undefined; args: Record<string, unknown> },
  held: StateResource,
  row: Pick<PlanRow, "name" | "customerId" | "companyName">,
  urns: string[],
): Promise<PlanRow> {
  const r = await assessReadiness(client, c.customerId);
  const base = { ...row, companyName: r.customer?.companyName ?? c.companyName, urns };
  if (r.gone) return { ...base, action: "alreadyRemoved", removable: true, blockers: [] };
  const options = clearingOptions(held.outputs);
  const wanted = clearingOptions(c.args);
  const differ = OPTION_KEYS.filter((k) => options[k] !== wanted[k]);
  const optionsNote = differ.length
    ? `the entry sets ${differ.map((k) => `${k}: ${wanted[k]}`).join(", ")}, but the removal runs with the options the stack holds (${differ.map((k) => `${k}: ${options[k]}`).join(", ")}): a resource no longer declared is deleted with its last applied inputs. To change them, set them on the entry without state: offboard and merge (pulumi up records them), then mark it offboard`
    : undefined;
  let blockers = r.blockers;
  let heldBack: string | undefined;
  let change = {
    cancel: [] as { id: string; name: string }[],
    suspend: [] as { id: string; name: string }[],
  };
  if (blockers.length > 0) {
    const plan = await planClearing(client, c.customerId, r.subscriptions, blockers, options);
    if (typeof plan === "string") {
      blockers = fitNextSteps(blockers, options, false);
      heldBack = plan.trim() || undefined;
    } else {
      const brief = (s: {
        id: string;
        offerName?: string | undefined;
        friendlyName?: string | undefined;
      }) => ({
        id: s.id,
        name: s.offerName ?? s.friendlyName ?? "",
      });
      change = { cancel: plan.cancel.map(brief), suspend: plan.suspend.map(brief) };
      blockers = [];
    }
  }
  const unexpectedChanges =
    (change.cancel.length > 0 && !wanted.cancelNewCommerceSubscriptionsInWindow) ||
    (change.suspend.length > 0 && !wanted.suspendActiveSubscriptions);
  return {
    ...base,
    action: "offboard",
    removable: r.isReseller && blockers.length === 0,
    blockers: blockers.map((b) => ({ ...b, nextStep: nextStep(b) })),
    ...(heldBack !== undefined && { heldBack }),
    wouldCancel: change.cancel,
    wouldSuspend: change.suspend,
    options,
    ...(optionsNote !== undefined && { optionsNote }),
    unexpectedChanges,
  };
}

/** True when an offboarding cannot go ahead as the estate file says. */
export const needsAttention = (r: PlanRow): boolean =>
  r.action === "notInFile" || (r.action === "offboard" && (!r.removable || r.unexpectedChanges === true));

/** True when the plan changes nothing. */
export const nothingToDo = (p: Plan) => p.customers.length === 0 && p.gdap.length === 0;

const WORDS: Record<PlanRow["action"], string> = {
  adopt: "adopt (already a reseller customer: no write)",
  invite: "not a reseller customer yet: `pulumi up` fails with the invitation link",
  offboard: "offboard",
  alreadyRemoved: "already removed",
  notInFile:
    "not in the estate file: stays (protected); `pulumi up` refuses to delete it. Restore the entry, or set state: offboard",
  gone: "gone from Partner Center: `pulumi refresh` drops it from the stack",
  unreadable: "could not be checked",
};

function lines(p: Plan, md: boolean): string[] {
  const out: string[] = [];
  const b = (s: string) => (md ? `**${s}**` : s);
  const code = (s: string) => (md ? `\`${s}\`` : s);
  for (const r of p.customers) {
    const who = `${code(printable(r.name))} (${printable(r.companyName ?? r.customerId)})`;
    let verdict = WORDS[r.action];
    const cancel = r.wouldCancel ?? [];
    const suspend = r.wouldSuspend ?? [];
    if (r.action === "offboard") {
      const after = cancel.length || suspend.length ? " after the changes below" : "";
      verdict = r.removable ? `offboard: removable now${after}` : b("offboard: BLOCKED");
      if (r.unexpectedChanges) verdict += ` ${b("(changes subscriptions the entry does not allow)")}`;
    }
    if (r.action === "notInFile" || r.action === "unreadable") verdict = b(verdict);
    out.push(`${md ? "- " : "  "}${who}: ${verdict}${r.error ? `: ${printable(r.error)}` : ""}`);
    const sub = md ? "  - " : "      ";
    const named = (s: { id: string; name: string }) =>
      `${printable(s.id)}${s.name ? ` "${printable(s.name)}"` : ""}`;
    for (const s of cancel)
      out.push(
        `${sub}${b("cancels")} subscription ${named(s)} first (cancelNewCommerceSubscriptionsInWindow; cannot be undone)`,
      );
    for (const s of suspend)
      out.push(`${sub}suspends subscription ${named(s)} first (suspendActiveSubscriptions)`);
    if (r.heldBack) out.push(`${sub}${printable(r.heldBack)}`);
    for (const x of r.blockers ?? []) {
      out.push(`${sub}${describeBlocker(x, "words")} ${describeClass(x)}: ${printable(x.nextStep)}`);
    }
    if (r.optionsNote) out.push(`${sub}note: ${printable(r.optionsNote)}`);
  }
  for (const g of p.gdap) {
    const what = g.action === "request" ? "request GDAP relationship" : "end GDAP relationship";
    out.push(`${md ? "- " : "  "}${code(printable(g.customer))}: ${what} "${printable(g.displayName)}"`);
  }
  return out;
}

/** The plan as text, or Markdown for a pull-request comment. */
export function formatPlan(p: Plan, markdown: boolean): string {
  const count = (a: PlanRow["action"]) => p.customers.filter((r) => r.action === a).length;
  const blocked = p.customers.filter((r) => r.action === "offboard" && !r.removable).length;
  const changes = p.customers.reduce(
    (n, r) => n + (r.wouldCancel?.length ?? 0) + (r.wouldSuspend?.length ?? 0),
    0,
  );
  const summary = `${count("adopt") + count("invite")} to adopt, ${count("offboard")} to offboard (${blocked} blocked${changes ? `, ${changes} subscriptions to cancel or suspend first` : ""}), ${p.gdap.length} GDAP changes, ${p.unchanged} unchanged.`;
  if (markdown) {
    return [
      "### Partner Center estate plan",
      "",
      nothingToDo(p) ? "Nothing to do." : summary,
      ...(nothingToDo(p) ? [] : ["", ...lines(p, true)]),
    ].join("\n");
  }
  return nothingToDo(p)
    ? `Nothing to do (${p.unchanged} unchanged).`
    : [summary, ...lines(p, false)].join("\n");
}
