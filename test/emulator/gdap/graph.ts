/** Helpers for the Graph GDAP route tests: an emulator, a Graph token, and a relationship in a given status. */
import type { Emulator } from "../../../packages/emulator/src";
import { call, graphAccessToken, start, type Reply } from "../helpers";

export const CUSTOMER = "11111111-1111-4111-8111-111111111111";
export const HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
export const EXCHANGE = "29232cdf-9323-42fd-ade2-1d097af3e4de";
export const GROUP = "869713c9-0b28-4d08-8949-ae07ae1bf528";
export const RELS = "/v1.0/tenantRelationships/delegatedAdminRelationships";

export const roles = (...ids: string[]) => ({
  unifiedRoles: ids.map((roleDefinitionId) => ({ roleDefinitionId })),
});

export interface GraphSession {
  em: Emulator;
  graph(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Reply>;
  /** A new relationship with roles `ids` (Helpdesk), in status `created`, or `active` (locked, then approved). */
  relationship(
    displayName: string,
    status?: "created" | "active",
    ids?: string[],
  ): Promise<{ id: string; "@odata.etag": string }>;
}

export async function session(): Promise<GraphSession> {
  const em = await start();
  const token = await graphAccessToken(em.url);
  const graph: GraphSession["graph"] = (path, init = {}) => call(em.url, token, `${RELS}${path}`, init);
  return {
    em,
    graph,
    async relationship(displayName, status = "created", ids = [HELPDESK]) {
      const r = await graph("", {
        method: "POST",
        body: {
          displayName,
          duration: "P730D",
          customer: { tenantId: CUSTOMER },
          accessDetails: roles(...ids),
        },
      });
      if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
      if (status === "active") {
        await graph(`/${r.json.id}/requests`, { method: "POST", body: { action: "lockForApproval" } });
        em.gdap.approve(r.json.id);
        return (await graph(`/${r.json.id}`)).json;
      }
      return r.json;
    },
  };
}
