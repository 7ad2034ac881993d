/**
 * `estate export`: the estate file from the live partner. Customers are read one page at a time; only a small
 * record per customer (id, company name) is kept so that the file can be written in a stable order (by name),
 * and the GDAP details of each customer are read while it is written, a few customers at a time.
 */
import type { PartnerCenterClient } from "../client";
import { ENDED } from "../gdap/relationships";
import type { GraphClient } from "../gdap/graph";
import type { AccessAssignmentEntry, AdminRelationshipEntry, EstateFile, GdapTemplate } from "./format";
import { SCHEMA_ID, fnv, loadEstate, templateDisplayName } from "./format";
import { slug } from "./plan-names";

type Entry = EstateFile["customers"][number] & Record<string, unknown>;

export interface ExportOptions {
  /** The estate file to merge into (its entries, fields and templates are kept). */
  merge?: unknown;
  mergeSource?: string;
  /** Read GDAP relationships and assignments through this client. */
  graph?: GraphClient;
  /** Customers whose GDAP is read at once. */
  concurrency?: number;
  /** The date written into `goneFromPartnerCenter` (YYYY-MM-DD). */
  today?: string;
  /** Receives the file, piece by piece. */
  write: (chunk: string) => void | Promise<void>;
}

export interface ExportSummary {
  customers: number;
  added: number;
  gone: number;
  adminRelationships: number;
}

/** Names for new customers: the company name slugged; customers sharing a slug all get their id's first 8 hex digits. */
export function nameCustomers(
  fresh: readonly { id: string; companyName: string | undefined }[],
  taken: ReadonlySet<string>,
): Map<string, string> {
  const bySlug = new Map<string, string[]>();
  for (const c of fresh) {
    const s = slug(c.companyName ?? "", 40);
    bySlug.set(s, [...(bySlug.get(s) ?? []), c.id]);
  }
  const out = new Map<string, string>();
  const used = new Set(taken);
  // Sorted so that the result never depends on the order Partner Center listed the customers in.
  for (const [s, ids] of [...bySlug].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const id of [...ids].sort()) {
      let name = ids.length === 1 && !used.has(s) ? s : `${s}-${id.slice(0, 8)}`;
      if (used.has(name)) name = `${s}-${fnv(id)}${id.slice(0, 8)}`.slice(0, 63);
      used.add(name);
      out.set(id, name);
    }
  }
  return out;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();
const noExtend = (d: string | undefined) => d === undefined || d === "PT0S" || d === "P0D";

/** The template a live relationship matches: same duration, auto-extend, roles and group assignments. */
export function matchTemplate(
  templates: Readonly<Record<string, GdapTemplate>>,
  rel: { duration: string; autoExtendDuration: string | undefined; roles: string[] },
  assignments: readonly AccessAssignmentEntry[],
): string | undefined {
  for (const [name, t] of Object.entries(templates).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const roles = t.roles ?? [...new Set(t.accessAssignments.flatMap((a) => a.roles))];
    const extendSame =
      noExtend(t.autoExtendDuration) === noExtend(rel.autoExtendDuration) &&
      (noExtend(t.autoExtendDuration) || t.autoExtendDuration === rel.autoExtendDuration);
    if (t.duration !== rel.duration || !extendSame || !sameSet(roles, rel.roles)) continue;
    if (t.accessAssignments.length !== assignments.length) continue;
    const ok = t.accessAssignments.every((ta) =>
      assignments.some((a) => a.securityGroupId === ta.securityGroupId && sameSet(a.roles, ta.roles)),
    );
    if (ok) return name;
  }
  return undefined;
}

async function gdapOf(
  graph: GraphClient,
  customerId: string,
  templates: Readonly<Record<string, GdapTemplate>>,
): Promise<AdminRelationshipEntry[]> {
  // Scoped by customer again here: a server-side filter is never trusted to have applied.
  const rels = (await graph.listRelationships({ customerTenantId: customerId })).filter(
    (r) => r.customerTenantId === customerId && !ENDED.has(r.status),
  );
  const out: AdminRelationshipEntry[] = [];
  for (const r of rels.sort((a, b) => (a.displayName < b.displayName ? -1 : 1))) {
    const assignments: AccessAssignmentEntry[] = (await graph.listAssignments(r.id))
      .filter((a) => a.status === "active" || a.status === "pending")
      .map((a) => ({ securityGroupId: a.securityGroupId, roles: [...a.roles].sort() }))
      .sort((a, b) => (a.securityGroupId < b.securityGroupId ? -1 : 1));
    const template = matchTemplate(templates, r, assignments);
    out.push(
      template
        ? { displayName: r.displayName, template }
        : {
            displayName: r.displayName,
            duration: r.duration,
            ...(r.autoExtendDuration !== undefined && {
              autoExtendDuration: r.autoExtendDuration as "PT0S" | "P0D" | "P180D",
            }),
            roles: [...r.roles].sort(),
            ...(assignments.length > 0 && { accessAssignments: assignments }),
          },
    );
  }
  return out;
}

/** Writes the estate file; returns what it did. Throws (after writing part of it) when a read fails. */
export async function exportEstate(client: PartnerCenterClient, o: ExportOptions): Promise<ExportSummary> {
  const base = o.merge !== undefined ? loadEstate(o.merge, o.mergeSource ?? "merge file").file : undefined;
  const templates = base?.gdapTemplates ?? {};
  const existing = new Map<string, Entry>();
  for (const c of (base?.customers ?? []) as Entry[]) existing.set(c.customerId, c);
  // The raw entries of the merge file, so that every field the user wrote is written back as written.
  const raw = new Map<string, Record<string, unknown>>();
  const rawDoc = o.merge as { customers?: Record<string, unknown>[] } | undefined;
  for (const c of rawDoc?.customers ?? []) raw.set(String(c.customerId).toLowerCase(), c);

  const live = new Map<string, string | undefined>();
  for await (const page of client.customers.pages()) {
    for (const c of page) if (c.relationshipToPartner === "reseller") live.set(c.id, c.companyName);
  }
  const fresh = [...live]
    .filter(([id]) => !existing.has(id))
    .map(([id, companyName]) => ({ id, companyName }));
  const names = nameCustomers(fresh, new Set([...existing.values()].map((c) => c.name)));
  const today = o.today ?? new Date().toISOString().slice(0, 10);

  const entries: Record<string, unknown>[] = [];
  let gone = 0;
  for (const [id, c] of existing) {
    const e: Record<string, unknown> = { ...(raw.get(id) ?? c) };
    if (live.has(id)) {
      delete e.goneFromPartnerCenter;
      const companyName = live.get(id);
      if (companyName !== undefined) e.companyName = companyName;
    } else {
      e.goneFromPartnerCenter ??= today;
      gone++;
    }
    entries.push(e);
  }
  for (const { id, companyName } of fresh) {
    entries.push({
      name: names.get(id),
      customerId: id,
      ...(companyName !== undefined && { companyName }),
    });
  }
  entries.sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1));

  const head: Record<string, unknown> = { $schema: base?.$schema ?? SCHEMA_ID, version: 1 };
  const rawTemplates = (o.merge as { gdapTemplates?: unknown } | undefined)?.gdapTemplates;
  if (rawTemplates !== undefined) head.gdapTemplates = rawTemplates;
  const headText = JSON.stringify(head, null, 2);
  await o.write(`${headText.slice(0, -2)},\n  "customers": [`);
  let adminRelationships = 0;
  const batch = Math.max(1, o.concurrency ?? 8);
  for (let i = 0; i < entries.length; i += batch) {
    const slice = entries.slice(i, i + batch);
    if (o.graph) {
      const graph = o.graph;
      await Promise.all(
        slice.map(async (e) => {
          if (e.goneFromPartnerCenter || e.state === "offboard") return;
          const id = String(e.customerId).toLowerCase();
          const declared = new Set(
            ((e.adminRelationships as { displayName: string }[] | undefined) ?? []).map((r) =>
              r.displayName.toLowerCase(),
            ),
          );
          for (const [t, tpl] of Object.entries(templates)) {
            const applies =
              tpl.appliesTo === "all" ||
              (Array.isArray(tpl.appliesTo) && tpl.appliesTo.includes(String(e.name)));
            if (applies) declared.add(templateDisplayName(t, String(e.name)).toLowerCase());
          }
          const found = (await gdapOf(graph, id, templates)).filter(
            (r) => !declared.has(r.displayName.toLowerCase()),
          );
          if (found.length) {
            e.adminRelationships = [...((e.adminRelationships as unknown[] | undefined) ?? []), ...found];
            adminRelationships += found.length;
          }
        }),
      );
    }
    for (const [k, e] of slice.entries()) {
      const text = JSON.stringify(e, null, 2).replace(/\n/g, "\n    ");
      await o.write(`${i + k === 0 ? "" : ","}\n    ${text}`);
    }
  }
  await o.write(`${entries.length ? "\n  " : ""}]\n}\n`);
  return { customers: entries.length, added: fresh.length, gone, adminRelationships };
}
