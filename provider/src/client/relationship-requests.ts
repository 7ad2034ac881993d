/**
 * The reseller invitation link: `GET /v1/customers/relationshiprequests` (`?indirectResellerId=` for an
 * indirect provider). There is no API that creates a relationship: a global admin of the customer's tenant
 * opens this link and accepts.
 */
import { relationshipRequestSchema } from "./schemas";
import type { Transport } from "./transport";
import type { RequestOptions } from "./index";

/** The relationship requests API. */
export function relationshipRequestsApi(t: Transport) {
  return {
    /** The invitation URL to send to the customer. */
    async getInvitationUrl(o: RequestOptions & { indirectResellerId?: string } = {}): Promise<string> {
      const { indirectResellerId, ...rest } = o;
      const res = await t.request({
        ...rest,
        method: "GET",
        path: "/v1/customers/relationshiprequests",
        query: { indirectResellerId },
        schema: relationshipRequestSchema,
      });
      return res.data.url;
    },
  };
}
