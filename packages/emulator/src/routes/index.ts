/**
 * The Partner Center route table (apis.ts), in order: the first match wins, so `relationshiprequests` comes before
 * `{id}`. Each route maps methods to handlers, functions of (ctx, params, state).
 */
import type { Route } from "../router";
import { getCustomer, listCustomers, patchCustomer } from "./customers";
import { listAzureEntitlements, listEntitlements } from "./entitlements";
import { relationshipRequest } from "./relationship-requests";
import { getSubscription, listSubscriptions, patchSubscription } from "./subscriptions";

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
