/**
 * Customers: `GET /v1/customers/{id}`, the customer list, and removing the reseller relationship
 * (`PATCH /v1/customers/{id}` with `relationshipToPartner: none`, "Remove a reseller relationship with a
 * customer" in the Partner Center REST docs; its example response is PascalCase and mostly null).
 */
import { z } from "zod";
import { collectionSchema, customerSchema } from "../core/schemas";
import { pagesOf } from "../core/pagination";
import { pathSegment } from "../core/path";
import type { Transport } from "../core/transport";
import type { RequestOptions } from "../core/transport";

/** A customer as the client returns it (already validated and normalised). */
export interface Customer {
  /** Customer tenant id, lower-case. "" when the service returned null (the PATCH response). */
  id: string;
  companyName: string | undefined;
  domain: string | undefined;
  /** Lower-cased: "none" | "reseller" | "advisor" | "syndication" | "microsoft_support" | other. */
  relationshipToPartner: string;
}

/**
 * `size` of the customer list: documented as required ("Get a list of customers",
 * https://learn.microsoft.com/partner-center/developer/get-a-list-of-customers; its example asks for 40). The
 * largest accepted value is not documented; later pages come through `links.next`.
 */
export const CUSTOMER_PAGE_SIZE = 100;

/** GET must say what the relationship is: without it we could not tell a reseller customer from another. */
const customerGetSchema = customerSchema.extend({ relationshipToPartner: z.string() });

/** Maps a validated customer; `fallbackId` when the body has no id (the PATCH response has `"Id": null`). */
export function toCustomer(c: z.output<typeof customerSchema>, fallbackId = ""): Customer {
  return {
    id: (c.id ?? fallbackId).toLowerCase(),
    companyName: c.companyProfile?.companyName ?? undefined,
    domain: c.companyProfile?.domain ?? undefined,
    // Enum casing varies (docs/design/partner-center-contract.md#casing): compared in lower case.
    relationshipToPartner: (c.relationshipToPartner ?? "").toLowerCase(),
  };
}

export function customerPath(customerId: string): string {
  return `/v1/customers/${pathSegment(customerId, "customer id")}`;
}

/** The customers API. */
export function customersApi(t: Transport) {
  return {
    /** The customer. NotFoundError when the partner does not see it (404, or 403 code 20002). */
    async get(customerId: string, o: RequestOptions = {}): Promise<Customer> {
      const res = await t.request({
        ...o,
        method: "GET",
        path: customerPath(customerId),
        customerId,
        schema: customerGetSchema,
      });
      return toCustomer(res.data, customerId);
    },

    /** Every customer of the partner (every page). */
    async list(o: RequestOptions = {}): Promise<Customer[]> {
      const out: Customer[] = [];
      for await (const page of this.pages(o)) out.push(...page);
      return out;
    },

    /** Every customer of the partner, one page at a time (for callers that must not hold the whole list). */
    async *pages(o: RequestOptions = {}): AsyncGenerator<Customer[], void, void> {
      for await (const page of pagesOf(t, {
        ...o,
        path: "/v1/customers",
        query: { size: String(CUSTOMER_PAGE_SIZE) },
        schema: collectionSchema(customerSchema),
      })) {
        yield page.map(({ item }) => toCustomer(item));
      }
    },

    /**
     * PATCH relationshipToPartner to none. Returns the response customer (mostly nulls: check
     * `relationshipToPartner === "none"`). Pass a `requestId` to be able to tell a retried PATCH apart.
     */
    async removeRelationship(customerId: string, o: RequestOptions = {}): Promise<Customer> {
      const res = await t.request({
        ...o,
        method: "PATCH",
        path: customerPath(customerId),
        customerId,
        body: { relationshipToPartner: "none", attributes: { objectType: "Customer" } },
        schema: customerSchema,
      });
      return toCustomer(res.data);
    },
  };
}
