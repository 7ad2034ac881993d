/**
 * The reseller invitation link: `GET /v1/customers/relationshiprequests` (`?indirectResellerId=` for an
 * indirect provider). There is no API that creates a relationship: a global admin of the customer's tenant
 * opens this link and accepts.
 */
import { printable, ResponseValidationError } from "../../errors";
import { relationshipRequestSchema } from "../core/schemas";
import type { Transport } from "../core/transport";
import type { RequestOptions } from "../core/transport";

/**
 * Domains an invitation link may point to: Microsoft's admin centre (the documented link is
 * `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&...`, "Request a
 * reseller relationship", docs/design/partner-center-contract.md#endpoints), and for Partner Center operated by 21Vianet the admin center of Office 365 operated by 21Vianet
 * under microsoftonline.cn ("Request a reseller relationship with a customer", partner-china docs).
 */
const INVITATION_DOMAINS = ["microsoft.com", "microsoftonline.cn"];

/**
 * The link as a normalised https URL on a Microsoft host, or a ResponseValidationError: the link is printed,
 * exported and sent to a customer's global administrator, so a `javascript:`, `file:`, `data:` or foreign
 * link must never get that far.
 */
export function checkInvitationUrl(
  value: string,
  ctx: { requestId?: string; correlationId?: string } = {},
): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const host = url?.hostname.toLowerCase() ?? "";
  const microsoft = INVITATION_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`));
  if (!url || url.protocol !== "https:" || !microsoft || url.username || url.password || url.port) {
    throw new ResponseValidationError(
      `Partner Center returned an unusable invitation link (${printable(value.slice(0, 80))}${value.length > 80 ? "..." : ""}): it must be an https link on a Microsoft host (${INVITATION_DOMAINS.map((d) => `*.${d}`).join(", ")}). It was not used.`,
      {
        ...ctx,
        operation: "GET /v1/customers/relationshiprequests",
        action:
          "Take the invitation link from Partner Center (Customers > Request a reseller relationship) instead, and report this answer with the MS-CorrelationId.",
      },
    );
  }
  return url.href;
}

/** The relationship requests API. */
export function relationshipRequestsApi(t: Transport) {
  return {
    /** The invitation URL to send to the customer: https, on a Microsoft host ({@link checkInvitationUrl}). */
    async getInvitationUrl(o: RequestOptions & { indirectResellerId?: string } = {}): Promise<string> {
      const { indirectResellerId, ...rest } = o;
      const res = await t.request({
        ...rest,
        method: "GET",
        path: "/v1/customers/relationshiprequests",
        query: { indirectResellerId },
        schema: relationshipRequestSchema,
      });
      return checkInvitationUrl(res.data.url, { requestId: res.requestId, correlationId: res.correlationId });
    },
  };
}
