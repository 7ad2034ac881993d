/** `GET /v1/customers/relationshiprequests[?indirectResellerId=]`: the reseller invitation link. */
import { isGuid } from "../estate";
import { pcError, type ApiResult, type Ctx } from "../results";
import type { Store } from "../state";

export function relationshipRequest(ctx: Ctx, _params: string[], state: Store): ApiResult {
  const indirect =
    ctx.url.searchParams.get("indirectResellerId") ?? ctx.url.searchParams.get("indirectresellerid");
  if (indirect !== null && !isGuid(indirect))
    return pcError(400, 3000, `indirectResellerId must be a tenant GUID, got '${indirect}'.`);
  const extra = indirect ? `&indirectCSPId=${indirect.toLowerCase()}` : "";
  return {
    status: 200,
    body: {
      url: `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${state.partnerTenantId()}&msppId=0&DAP=false${extra}#/BillingAccounts/partner-invitation`,
      attributes: { objectType: "RelationshipRequest" },
    },
  };
}
