/**
 * audit/audited-graph.ts against the emulator's Graph routes on loopback: every GDAP write through the audited
 * view is written ahead (an intent with the ids Graph then sees) and followed by its outcome, under the op name
 * of that write; a write naming only a relationship is recorded under its customer; reads are not recorded.
 */
import { closeSharedClients } from "../../provider/src/client";
import { auditedGraph } from "../../provider/src/audit/audited-graph";
import { AuditTrailError, type AuditRecord } from "../../provider/src/audit/trail";
import { GraphClient } from "../../provider/src/gdap/graph";
import { caught, emulatorAndClient, settingsFor } from "../client/helpers";
import { CUSTOMER, EXCHANGE, GROUP, HELPDESK } from "../emulator/gdap/graph";
import { readTrail, sequence, tmpDir, tmpTrail } from "./helpers";

const shared = emulatorAndClient();
let graph: GraphClient;
// On each test's client (the shared hooks make a new one before each test).
beforeEach(() => {
  graph = new GraphClient(shared.client, shared.em.url);
});
afterAll(() => closeSharedClients());

const spec = (displayName: string) => ({
  displayName,
  duration: "P730D",
  customerTenantId: CUSTOMER.toUpperCase(),
  roles: [HELPDESK, EXCHANGE],
});
const graphWrites = () =>
  shared.em.requests().filter((r) => r.path.startsWith("/v1.0/") && r.method !== "GET");
const audited = (file: string) =>
  auditedGraph(graph, settingsFor(shared.em, { "partnercenter:auditLog": file }));

test("without a trail, the Graph client itself", () => {
  expect(auditedGraph(graph, settingsFor(shared.em))).toBe(graph);
});

test("each write: its intent, then its outcome, under the op of that write, with the ids Graph saw", async () => {
  const file = tmpTrail();
  const view = audited(file);
  const rel = await view.createRelationship({ ...spec("Audited"), autoExtendDuration: "PT0S" });
  const updated = await view.updateRelationship(rel.id, rel.etag!, { autoExtendDuration: "P180D" });
  expect(updated.kind).toBe("done");
  await view.createRequest(rel.id, "lockForApproval");
  shared.em.gdap.approve(rel.id);
  const created = await view.createAssignment(rel.id, GROUP, [HELPDESK]);
  const assignment = await view.getAssignment(rel.id, created.id);
  await view.updateAssignment(rel.id, assignment.id, assignment.etag!, [HELPDESK, EXCHANGE]);
  await view.deleteAssignment(rel.id, assignment.id, (await view.getAssignment(rel.id, assignment.id)).etag!);
  await view.createRequest(rel.id, "terminate");
  const draft = await view.createRelationship(spec("Draft"));
  await view.deleteRelationship(draft.id, draft.etag!);

  const records = readTrail(file);
  const ops = [
    "gdapCreation",
    "gdapUpdate",
    "gdapApprovalRequest",
    "gdapAccessAssignment",
    "gdapAccessAssignment",
    "gdapAccessAssignment",
    "gdapTermination",
    "gdapCreation",
    "gdapDeletion",
  ];
  expect(records.map((r) => `${r.op}/${r.phase}`)).toEqual(
    ops.flatMap((op) => [`${op}/intent`, `${op}/outcome`]),
  );
  // Each pair: one operation, the ids on record before the write are the ones Graph saw, in that order.
  const sent = graphWrites();
  expect(sent).toHaveLength(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const [intent, outcome] = [records[2 * i]!, records[2 * i + 1]!];
    expect(outcome.operationId).toBe(intent.operationId);
    expect(intent.requests).toEqual(outcome.requests);
    expect(intent.requests).toEqual([
      {
        method: sent[i]!.method,
        path: sent[i]!.path,
        requestId: sent[i]!.requestId,
        correlationId: sent[i]!.correlationId,
      },
    ]);
    expect(outcome.customer.id).toBe(CUSTOMER);
  }
  const outcomes = records.filter((r) => r.phase === "outcome");
  expect(outcomes.map((r) => r.outcome)).toEqual([
    "created",
    "updated",
    "requested",
    "created",
    "requested", // a role change is a long-running operation (202)
    "deleted",
    "requested",
    "created",
    "deleted",
  ]);
  expect(outcomes.filter((r) => r.op === "gdapAccessAssignment").map((r) => r.requests[0]!.method)).toEqual([
    "POST",
    "PATCH",
    "DELETE",
  ]);
  // The creation is recorded under the relationship it made; an assignment under its relationship.
  expect(outcomes[0]!.subject).toEqual({ kind: "adminRelationship", id: rel.id, name: "Audited" });
  expect(outcomes[0]!.after).toEqual({ id: rel.id, status: "created" });
  expect(outcomes[1]!.after).toMatchObject({ autoExtendDuration: "P180D" });
  expect(outcomes[4]!.after).toEqual({
    operation: expect.stringContaining("/operations/"),
    roles: `${HELPDESK} ${EXCHANGE}`,
  });
  expect(outcomes[3]!.subject).toEqual({
    kind: "accessAssignment",
    id: created.id,
    name: GROUP,
    relationshipId: rel.id,
  });
});

test("a write naming only a relationship id, not read before: the relationship is read first, for its customer", async () => {
  const rel = await graph.createRelationship(spec("Unseen"));
  const file = tmpTrail();
  await audited(file).createRequest(rel.id, "lockForApproval");
  const calls = shared.em.requests().map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`);
  expect(calls.slice(-2)).toEqual([`GET delegatedAdminRelationships/${rel.id}`, `POST ${rel.id}/requests`]);
  for (const r of readTrail(file)) expect(r.customer.id).toBe(CUSTOMER);
});

test("a write Graph refuses: its intent, then a failed outcome with the error", async () => {
  const file = tmpTrail();
  const view = audited(file);
  const rel = await view.createRelationship(spec("Stale"));
  const e = await caught(view.deleteRelationship(rel.id, 'W/"stale"'));
  expect(e).toMatchObject({ status: 412 });
  const [intent, outcome] = readTrail(file).slice(-2) as [AuditRecord, AuditRecord];
  expect(sequence([intent, outcome])).toEqual(["gdapDeletion/intent/null", "gdapDeletion/outcome/failed"]);
  expect(outcome.error).toMatchObject({ status: 412, partnerCenterCode: "PreconditionFailed" });
});

test("an intent that cannot be written stops the write: nothing reaches Graph", async () => {
  // A directory is no trail file: the intent's write fails.
  const e = await caught(audited(tmpDir()).createRelationship(spec("Never")));
  expect(e).toBeInstanceOf(AuditTrailError);
  expect((e as Error).message).toMatch(
    /The gdapCreation of adminRelationship {2}\(customer 11111111-.*\) was not sent/,
  );
  expect(graphWrites()).toEqual([]);
  expect(shared.em.gdap.state()).toEqual([]);
});
