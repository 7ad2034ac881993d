/**
 * The audit trail through the real Pulumi provider host (gRPC), against the emulator on loopback:
 * what each removal checked and changed, with the MS-RequestId / MS-CorrelationId the emulator saw; a blocked
 * removal changes nothing; an unwritable trail fails the delete before any change is sent; 50 concurrent
 * removals leave only whole, parseable lines; no credential in the file. Nothing is mocked but the Pulumi
 * engine itself, which cannot run here (no Pulumi CLI).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  SAMPLE_CUSTOMERS,
  SAMPLE_SUBSCRIPTIONS,
  startEmulator,
  syntheticEstate,
  type Emulator,
} from "pulumi-partner-center-emulator";
import type { AuditRecord } from "../../provider/src/audit";
import {
  captureProviderText,
  Host,
  mapLimit,
  PARTNER_TENANT_ID,
  ROOT,
  withoutProvider,
} from "../support/host";
import { captureGdapProviderTexts, RELATIONSHIP_TYPE } from "../gdap/helpers";
import { readTrail } from "../audit/helpers";

const CLIENT_SECRET = "client-secret-audit-3c9e1f7a-recognisable";
const REFRESH_TOKEN = "refresh-token-audit-8d2b6a4e-recognisable";

let emulator: Emulator;
let providerText: string;
let dir: string;
const hosts: Host[] = [];

beforeAll(async () => {
  providerText = await captureProviderText();
});

beforeEach(async () => {
  emulator = await startEmulator({ throttle: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ppc-audit-"));
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  await emulator.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A provider host configured for the emulator, with `partnercenter:auditLog` set to `auditLog`. */
async function startHost(auditLog: string, cwd?: string): Promise<Host> {
  const host = await Host.start({ providerText, ...(cwd && { cwd }) });
  hosts.push(host);
  await host.configureEmulator(
    emulator.url,
    { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
    { "partnercenter:auditLog": auditLog },
  );
  return host;
}

function patches() {
  return emulator.requests().filter((r) => r.method === "PATCH");
}

test("an offboarding with suspension and cancellation: the checked record, one record per change, the removal, with the ids the emulator saw", async () => {
  const file = path.join(dir, "trail.jsonl");
  const host = await startHost(file);
  const id = SAMPLE_CUSTOMERS.activeSubscriptions;
  const created = await host.create("fabrikam", {
    customerId: id,
    suspendActiveSubscriptions: true,
    cancelNewCommerceSubscriptionsInWindow: true,
  });
  await host.delete("fabrikam", id, withoutProvider(created.props));

  const all = readTrail(file);
  expect(all.map((r) => `${r.op}/${r.phase}/${r.outcome}`)).toEqual([
    "adopt/outcome/adopted",
    "removal/checked/null",
    "cancel/intent/null",
    "cancel/outcome/cancelled",
    "suspend/intent/null",
    "suspend/outcome/suspended",
    "removal/intent/null",
    "removal/outcome/removed",
  ]);
  // Write-ahead: each write's intent carries exactly the ids its outcome (and the emulator) saw.
  const intents = all.filter((r) => r.phase === "intent");
  for (const i of intents) {
    const outcome = all.find((r) => r.phase === "outcome" && r.op === i.op)!;
    expect(i.requests).toEqual(outcome.requests);
    expect(i.subject).toEqual(outcome.subject);
    expect(i.writer).toEqual({ host: os.hostname(), pid: expect.any(Number) });
  }
  const records = all.filter((r) => r.phase !== "intent");
  for (const r of all) {
    expect(r.version).toBe(2);
    expect(r.customer).toEqual({ id, name: "Fabrikam Active Inc" });
    expect(r.partnerTenantId).toBe(PARTNER_TENANT_ID);
    expect(r.endpoint).toBe(emulator.url);
    expect(Number.isNaN(Date.parse(r.time))).toBe(false);
  }
  const [adopted, checked, ...rest] = records as [AuditRecord, AuditRecord, ...AuditRecord[]];
  expect(adopted.after).toEqual({ relationshipToPartner: "reseller" });
  const removal = records.slice(1);
  expect(new Set(removal.map((r) => r.operationId)).size).toBe(1);
  expect(removal[0]!.operationId).not.toBe(adopted.operationId);

  // The check, before any change: counts, and the two active subscriptions that block until suspended.
  expect(checked.options).toEqual({
    suspendActiveSubscriptions: true,
    cancelNewCommerceSubscriptionsInWindow: true,
  });
  expect(checked.checks?.subscriptionsRead).toBe(3);
  expect(checked.checks?.entitlementsRead).toEqual(expect.any(Number));
  expect(checked.blockers.map((b) => b.id).sort()).toEqual(
    [SAMPLE_SUBSCRIPTIONS.legacyE3, SAMPLE_SUBSCRIPTIONS.businessPremiumNce].sort(),
  );
  expect(checked.requests).toEqual([]);
  expect(checked.before).toEqual({ relationshipToPartner: "reseller" });

  // Each suspend: before and after, and the ids of the PATCH exactly as the emulator logged it.
  const log = patches();
  const suspends = rest.slice(0, 2);
  for (const s of suspends) {
    expect(s.subject.kind).toBe("subscription");
    expect(s.before).toEqual({ status: "active" });
    expect(s.after).toEqual({ status: s.op === "cancel" ? "deleted" : "suspended" });
    expect(s.requests).toHaveLength(1);
    const sent = log.find((e) => e.requestId === s.requests[0]!.requestId);
    expect(sent).toMatchObject({
      path: s.requests[0]!.path,
      correlationId: s.requests[0]!.correlationId,
      applied: true,
      status: 200,
    });
    expect(sent!.path).toContain(`/subscriptions/${s.subject.id}`);
  }

  // The removal: the PATCH's ids, what confirmed it, and the check after the suspensions.
  const done = rest[2]!;
  expect(done.requests).toHaveLength(1);
  const patch = log.find((e) => e.requestId === done.requests[0]!.requestId);
  expect(patch).toMatchObject({
    path: `/v1/customers/${id}`,
    correlationId: done.requests[0]!.correlationId,
    applied: true,
  });
  expect(done.before).toEqual({ relationshipToPartner: "reseller" });
  expect(done.after).toEqual({ relationshipToPartner: "none", confirmedBy: "patchResponse" });
  expect(done.blockers).toEqual([]);
  expect(done.checks?.reads.filter((r) => r.what === "subscriptions")).toHaveLength(2);
  expect(done.error).toBeNull();
  expect(log).toHaveLength(3); // nothing the trail does not show
});

test("a blocked removal: the checked record and a blocked outcome naming every blocker, and no change", async () => {
  const file = path.join(dir, "trail.jsonl");
  const host = await startHost(file);
  const id = SAMPLE_CUSTOMERS.reservedInstance;
  const err = (await host
    .delete("litware", id, {
      customerId: id,
      suspendActiveSubscriptions: true,
      companyName: "Litware Reserved",
    })
    .catch((e: Error) => e)) as Error;
  expect(err.message).toMatch(/cannot be removed yet/);
  expect(patches()).toEqual([]);

  const records = readTrail(file);
  expect(records.map((r) => `${r.op}/${r.phase}/${r.outcome}`)).toEqual([
    "removal/checked/null",
    "removal/outcome/blocked",
  ]);
  const blocked = records[1]!;
  expect(blocked.blockers.some((b) => b.kind === "reservedInstance")).toBe(true);
  expect(blocked.requests).toEqual([]);
  expect(blocked.after).toBeNull();
  expect(blocked.error).toMatchObject({ code: "PPC_REMOVAL_BLOCKED" });
});

test.each([
  ["a directory", (d: string) => d],
  [
    "a path under a regular file",
    (d: string) => (fs.writeFileSync(path.join(d, "f"), ""), path.join(d, "f", "t.jsonl")),
  ],
])(
  "an unwritable trail (%s) fails the delete before any PATCH reaches Partner Center",
  async (_what, target) => {
    const file = target(dir);
    const host = await startHost(file);
    for (const id of [SAMPLE_CUSTOMERS.clean, SAMPLE_CUSTOMERS.activeSubscriptions]) {
      const err = (await host
        .delete("c", id, { customerId: id, suspendActiveSubscriptions: true })
        .catch((e: Error) => e)) as Error;
      expect(err.message).toContain(
        `The audit trail ${file} (partnercenter:auditLog (or PARTNER_CENTER_AUDIT_LOG))`,
      );
      expect(err.message).toContain("Nothing was changed");
    }
    // The check ran (both lists of both customers were read): it is the trail that stopped the change.
    const reads = emulator
      .requests()
      .filter((r) => r.method === "GET")
      .map((r) => r.path.split("?")[0]);
    for (const id of [SAMPLE_CUSTOMERS.clean, SAMPLE_CUSTOMERS.activeSubscriptions]) {
      expect(reads).toContain(`/v1/customers/${id}/subscriptions`);
      expect(reads).toContain(`/v1/customers/${id}/entitlements`);
    }
    expect(patches()).toEqual([]); // no suspend, no relationship PATCH
    // Adoption cannot be recorded either: the resource does not enter the stack.
    await expect(host.create("c", { customerId: SAMPLE_CUSTOMERS.clean })).rejects.toThrow(/not adopted/);
  },
);

test("50 concurrent removals: every line whole and parseable, one checked and one outcome each; server text kept exactly; no secret", async () => {
  // Company names with quotes, a newline, a tab, bidi and zero-width controls, a line separator, an emoji.
  const prefix = 'Evil "Co" \\ <b>\n\t\u202eTXT.exe\u200b\u2028 \u{1F600}';
  const estate = syntheticEstate({ count: 50, namePrefix: prefix });
  emulator.loadEstate(estate);
  const file = path.join(dir, "trail.jsonl");
  const host = await startHost(file);
  const created = await mapLimit(estate.customers, 50, (c) => host.create(c.id, { customerId: c.id }));
  await Promise.all(created.map((c) => host.delete(c.id, c.id, withoutProvider(c.props))));
  expect(patches()).toHaveLength(50);

  const text = fs.readFileSync(file, "utf8");
  const lines = text.trimEnd().split("\n");
  expect(lines).toHaveLength(200);
  // Control and bidi characters are escaped in the file (no raw U+202E or U+2028), the value is unchanged.
  expect(text).not.toMatch(/[\u202e\u200b\u2028\t]/);
  const records = lines.map((l) => JSON.parse(l) as AuditRecord);
  const names = new Set(estate.customers.map((c) => c.companyName));
  for (const r of records) expect(names.has(r.customer.name ?? "")).toBe(true);
  const byOperation = new Map<string, string[]>();
  for (const r of records) {
    if (r.op !== "removal") continue;
    byOperation.set(r.operationId, [...(byOperation.get(r.operationId) ?? []), `${r.phase}/${r.outcome}`]);
  }
  expect(byOperation.size).toBe(50);
  for (const seq of byOperation.values()) {
    expect(seq).toEqual(["checked/null", "intent/null", "outcome/removed"]);
  }
  const sent = new Set(patches().map((p) => p.requestId));
  const recorded = records.flatMap((r) => r.requests.map((q) => q.requestId));
  expect(new Set(recorded)).toEqual(sent);

  const tokens = emulator.state().issuedTokens;
  expect(tokens.length).toBeGreaterThan(0);
  for (const secret of [CLIENT_SECRET, REFRESH_TOKEN, ...tokens]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/bearer|authorization/i);
}, 60_000);

test("a relative path is resolved against the provider host's working directory (the project directory)", async () => {
  // A project directory elsewhere, with the workspace package and the Pulumi SDK linked into node_modules.
  fs.mkdirSync(path.join(dir, "node_modules", "@pulumi"), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "provider"), path.join(dir, "node_modules", "pulumi-partner-center"));
  fs.symlinkSync(
    path.join(ROOT, "node_modules/@pulumi/pulumi"),
    path.join(dir, "node_modules/@pulumi/pulumi"),
  );
  const host = await startHost("trail.jsonl", dir);
  const id = SAMPLE_CUSTOMERS.clean;
  await host.delete("clean", id, { customerId: id });
  const records = readTrail(path.join(dir, "trail.jsonl"));
  expect(records.map((r) => `${r.phase}/${r.outcome}`)).toEqual([
    "checked/null",
    "intent/null",
    "outcome/removed",
  ]);
  expect(fs.statSync(path.join(dir, "trail.jsonl")).mode & 0o777).toBe(0o600);
});

/** Polls `file` until a record matches, or fails after `ms`. */
async function waitForRecord(file: string, match: (r: AuditRecord) => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const found = fs.existsSync(file)
      ? fs
          .readFileSync(file, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AuditRecord)
          .find(match)
      : undefined;
    if (found) return found;
    if (Date.now() > end) throw new Error("no such record in the trail");
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("write-ahead: the PATCH's intent, with the ids it sends, is on disk while it is in flight; after a kill, the next refresh settles it from Partner Center", async () => {
  const file = path.join(dir, "trail.jsonl");
  const id = SAMPLE_CUSTOMERS.clean;
  // Partner Center applies the removal, then holds the answer: the process is killed before it arrives.
  emulator.addFault({ match: { method: "PATCH", customerId: id }, kind: "slow", delayMs: 60_000 });
  const first = await startHost(file);
  void first
    .delete("clean", id, { customerId: id, relationshipToPartner: "reseller" })
    .catch(() => undefined);
  const intent = await waitForRecord(file, (r) => r.phase === "intent");
  // Written ahead: the intent is on disk first, then the PATCH reaches Partner Center.
  for (const end = Date.now() + 20_000; patches().length === 0 && Date.now() < end;) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const sent = patches();
  expect(sent).toHaveLength(1);
  expect(intent).toMatchObject({ op: "removal", version: 2, customer: { id } });
  expect(intent.requests).toEqual([
    {
      method: "PATCH",
      path: sent[0]!.path,
      requestId: sent[0]!.requestId,
      correlationId: sent[0]!.correlationId,
    },
  ]);
  const child = (first as unknown as { child: import("node:child_process").ChildProcess }).child;
  await new Promise((r) => {
    child.once("exit", r);
    child.kill("SIGKILL");
  });
  expect(readTrail(file).map((r) => `${r.phase}/${r.outcome}`)).toEqual(["checked/null", "intent/null"]);

  // The next run: its first refresh reads the customer and records what Partner Center shows.
  const next = await startHost(file);
  await next.read("clean", id, { customerId: id, relationshipToPartner: "reseller" });
  const records = readTrail(file);
  expect(records.map((r) => `${r.phase}/${r.outcome}`)).toEqual([
    "checked/null",
    "intent/null",
    "reconciled/removed",
  ]);
  const settled = records[2]!;
  expect(settled.operationId).toBe(intent.operationId);
  expect(settled.requests).toEqual(intent.requests);
  // The emulator, like Partner Center, no longer shows the customer once the relationship is gone.
  expect(settled.after).toEqual({ relationshipToPartner: null, confirmedBy: "customerGone" });
  expect(patches()).toHaveLength(1); // reads only
  expect(next.output()).toContain("had no outcome on record");
}, 60_000);

test("an auditLog that is a FIFO is refused at once, naming the setting; nothing is sent", async () => {
  const fifo = path.join(dir, "trail.fifo");
  execFileSync("mkfifo", [fifo]);
  const host = await startHost(fifo);
  const id = SAMPLE_CUSTOMERS.activeSubscriptions;
  const started = Date.now();
  const err = (await host
    .delete("c", id, { customerId: id, suspendActiveSubscriptions: true })
    .catch((e: Error) => e)) as Error;
  expect(err.message).toContain(`${fifo} is a FIFO, not a regular file`);
  expect(err.message).toContain("partnercenter:auditLog");
  expect(err.message).toContain("Nothing was changed");
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(patches()).toEqual([]);
}, 30_000);

test("GDAP writes are on record before they are sent: creation, approval request, termination, each with its ids", async () => {
  const file = path.join(dir, "trail.jsonl");
  const texts = await captureGdapProviderTexts();
  const host = await Host.start({ providerText });
  hosts.push(host);
  await host.configureEmulator(
    emulator.url,
    { clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN },
    { "partnercenter:auditLog": file, "partnercenter:graphEndpoint": emulator.url },
  );
  const rel = host.as(texts.DelegatedAdminRelationship!, RELATIONSHIP_TYPE);
  const customerId = SAMPLE_CUSTOMERS.clean;
  const created = await rel.create("admin", {
    customerId,
    displayName: "Clean - audit",
    duration: "P730D",
    roles: ["29232cdf-9323-42fd-ade2-1d097af3e4de"],
  });
  emulator.gdap.approve(created.id);
  await host.delete("clean", customerId, {
    customerId,
    relationshipToPartner: "reseller",
    terminateAdminRelationshipsOnRemoval: true,
  });
  const records = readTrail(file);
  const gdap = records.filter((r) => r.op.startsWith("gdap"));
  expect(gdap.map((r) => `${r.op}/${r.phase}/${r.outcome}`)).toEqual([
    "gdapCreation/intent/null",
    "gdapCreation/outcome/created",
    "gdapApprovalRequest/intent/null",
    "gdapApprovalRequest/outcome/requested",
    "gdapTermination/intent/null",
    "gdapTermination/outcome/requested",
  ]);
  const graphWrites = emulator
    .requests()
    .filter((r) => r.method === "POST" && r.path.includes("delegatedAdmin"));
  for (const r of gdap) {
    expect(r.customer.id).toBe(customerId);
    const q = r.requests[0]!;
    expect(graphWrites.find((w) => w.requestId === q.requestId)).toMatchObject({
      correlationId: q.correlationId,
    });
  }
  expect(gdap[1]!.subject).toMatchObject({
    kind: "adminRelationship",
    id: created.id,
    name: "Clean - audit",
  });
  expect(gdap[4]!.subject).toMatchObject({ kind: "adminRelationship", id: created.id });
  // Each intent precedes its write in the trail, and the write is the one the emulator saw.
  expect(records.indexOf(gdap[4]!)).toBeLessThan(records.indexOf(gdap[5]!));
}, 60_000);
