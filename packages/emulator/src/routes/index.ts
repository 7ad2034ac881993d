/**
 * The Partner Center route table, in order: the first match wins, so `relationshiprequests` comes before
 * `{id}`. Each route maps methods to handlers, functions of (ctx, params, state).
 */
import { pcError, type ApiResult, type Handler } from "../results";
import { getCustomer, listCustomers, patchCustomer } from "./customers";
import { listAzureEntitlements, listEntitlements } from "./entitlements";
import { relationshipRequest } from "./relationship-requests";
import { getSubscription, listSubscriptions, patchSubscription } from "./subscriptions";

export interface Route {
  re: RegExp;
  methods: Readonly<Record<string, Handler>>;
}

export const ROUTES: readonly Route[] = [
  { re: /^\/v1\/customers\/?$/i, methods: { GET: listCustomers } },
  // Before /v1/customers/{id}: "relationshiprequests" is not a customer id.
  { re: /^\/v1\/customers\/relationshiprequests\/?$/i, methods: { GET: relationshipRequest } },
  { re: /^\/v1\/customers\/([^/]+)\/?$/i, methods: { GET: getCustomer, PATCH: patchCustomer } },
  { re: /^\/v1\/customers\/([^/]+)\/subscriptions\/?$/i, methods: { GET: listSubscriptions } },
  {
    re: /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/azureentitlements\/?$/i,
    methods: { GET: listAzureEntitlements },
  },
  {
    re: /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/?$/i,
    methods: { GET: getSubscription, PATCH: patchSubscription },
  },
  { re: /^\/v1\/customers\/([^/]+)\/entitlements\/?$/i, methods: { GET: listEntitlements } },
];

/** The handler for `method` on `path` with its decoded parameters, or the 404 or 405 Partner Center answers. */
export function matchRoute(method: string, path: string): { handler: Handler; params: string[] } | ApiResult {
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (!m) continue;
    const handler = r.methods[method];
    if (!handler) {
      return pcError(405, 405, `${method} is not supported on ${path}.`, {
        Allow: Object.keys(r.methods).join(", "),
      });
    }
    const params = m.slice(1).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
    return { handler, params };
  }
  return pcError(404, 1000, `Resource not found: no route for ${method} ${path}.`);
}
