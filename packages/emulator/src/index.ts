/**
 * The Partner Center emulator: a loopback HTTP server that behaves like Partner Center and its token
 * endpoint, as described in docs/design/partner-center-contract.md, for tests, demos, benchmarks and users' own
 * pipelines. What LocalStack is to AWS. See the package's README.md and the TSDoc of app.ts for the
 * routes, the admin API and the emulator's choices where Microsoft documents nothing.
 *
 * Layout: server.ts (listen, close) · app.ts (the one ordered pipeline) · apis.ts (each API as data: routes,
 * error style, audience, throttle) · error-styles.ts · state.ts (the store; gdap-store.ts, device-codes.ts its parts) · routes/
 * (one file per API resource; routes/gdap/ for Graph) · admin/routes.ts (`/_emulator`) · respond.ts, results.ts,
 * router.ts, context.ts, auth.ts · faults, throttle, config, estate/.
 *
 * @example
 * ```ts
 * import { startEmulator, SAMPLE_CUSTOMERS } from "pulumi-partner-center-emulator";
 * const emulator = await startEmulator();
 * // point the provider at emulator.url (endpoint and authority), any client id and refresh token
 * emulator.addFault({ match: { method: "PATCH" }, kind: "resetAfterApply" });
 * await emulator.close();
 * ```
 */

export type { Casing, EmulatorConfig, EmulatorOptions, RequiredCredentials, RuntimeOptions } from "./config";
export { DEFAULT_CONFIG } from "./config";
export {
  DEFAULT_ESTATE,
  DEFAULT_PARTNER_TENANT_ID,
  EstateValidationError,
  SAMPLE_CUSTOMERS,
  SAMPLE_SUBSCRIPTIONS,
  normaliseEstate,
  syntheticEstate,
  type AzureEntitlementState,
  type CustomerState,
  type EntitledArtifact,
  type EntitlementState,
  type Estate,
  type EstateAzureEntitlement,
  type EstateCustomer,
  type EstateEntitlement,
  type EstateState,
  type EstateSubscription,
  type ProductType,
  type RelationshipToPartner,
  type SubscriptionState,
  type SubscriptionStatus,
  type SyntheticEstateOptions,
} from "./estate";
export { FAULT_KINDS, type Fault, type FaultKind, type FaultMatch } from "./faults";
export { DEFAULT_THROTTLE, type ThrottleConfig } from "./throttle";
export type { EmulatorCounters, EmulatorState, RequestLogEntry } from "./state";
export { isLoopbackHost, startEmulator, type Emulator } from "./server";
export type { GdapAssignmentState, GdapRelationshipState } from "./gdap-model";
export type { GdapStore } from "./gdap-store";
/** The GDAP store's former name, kept for existing imports. */
export type { GdapStore as GraphGdap } from "./gdap-store";
