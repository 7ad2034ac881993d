/**
 * Customers: `GET /v1/customers/{id}`, the customer list, and removing the reseller relationship
 * (`PATCH /v1/customers/{id}` with `relationshipToPartner: none`, "Remove a reseller relationship with a
 * customer" in the Partner Center REST docs; its example response is PascalCase and mostly null).
 */
import { z } from "zod";
import { ResponseValidationError } from "../errors";
import { collectionSchema, customerSchema } from "./schemas";
import { listAll, type Transport } from "./transport";
import type { Customer, RequestOptions } from "./index";

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
    // Enum casing varies (shared/partner-center-api.md, "Casing"): compared in lower case.
    relationshipToPartner: (c.relationshipToPartner ?? "").toLowerCase(),
  };
}

export function customerPath(customerId: string): string {
  return `/v1/customers/${pathSegment(customerId, "customer id")}`;
}

/**
 * An id as one encoded URL path segment. "", "." and ".." are refused (nothing is sent): URL parsing drops or
 * climbs them, so `/v1/customers/..` would become `/v1/`, another route. So is a string with a lone surrogate,
 * which cannot be encoded.
 */
export function pathSegment(id: string, what: string): string {
  let encoded: string | undefined;
  try {
    encoded = id === "" || id === "." || id === ".." ? undefined : encodeURIComponent(id);
  } catch {
    encoded = undefined; // URIError: a lone surrogate
  }
  if (encoded === undefined) {
    throw new ResponseValidationError(
      `Refusing to send a request for the ${what} ${JSON.stringify(id.slice(0, 80))}: it cannot be a URL path segment.`,
      { action: "Check the id: Partner Center ids are GUIDs. Nothing was sent." },
    );
  }
  return encoded;
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
      const items = await listAll(t, {
        ...o,
        path: "/v1/customers",
        query: { size: String(CUSTOMER_PAGE_SIZE) },
        schema: collectionSchema(customerSchema),
      });
      return items.map(({ item }) => toCustomer(item));
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
