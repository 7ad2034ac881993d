/**
 * The APIs the emulator serves, as data for the one pipeline (app.ts): which paths each owns, its route table, its
 * error style, the token audience it requires, whether it is throttled, logged and delayed, and which requests
 * faults can hit. The order matters: the first API that owns a path answers it.
 */
import { GRAPH_RESOURCE } from "./audience";
import { ENTRA_STYLE, GRAPH_STYLE, PARTNER_CENTER_STYLE, type ErrorStyle } from "./error-styles";
import type { Route } from "./router";
import { GRAPH_ROUTES } from "./routes/gdap";
import { ROUTES as PARTNER_CENTER_ROUTES } from "./routes/index";
import { TOKEN_ROUTES } from "./routes/token";

export interface Api {
  name: "entra" | "graph" | "partnerCenter";
  owns(path: string): boolean;
  routes: readonly Route[];
  style: ErrorStyle;
  /** Bearer token required: `audience` null accepts any token the emulator issued. Absent: no token needed. */
  auth?: { audience: string | null };
  /** Counted against the `throttle` budget (key: partner, or partner and the customer in the path). */
  throttled: boolean;
  /** In the request log, `counters.requests` and the `latencyMs` delay; else counted in `counters.tokenRequests`. */
  logged: boolean;
  /** Faults hit this API only when `match.path` names it (faults.ts): the token endpoint. */
  faultsByPathOnly: boolean;
  /** A PATCH repeating an MS-RequestId may be replayed (`replayRequestIds`), and applied ones count as patches. */
  partnerCenterWrites: boolean;
  /** Body property names follow the `casing` option; else bodies are sent as built. */
  recased: boolean;
  /** The customer tenant id a path is about (throttle lane, request log), or null. */
  customerId(path: string): string | null;
}

const none = (): null => null;

/** `POST /{tenant}/oauth2/token`, `/oauth2/v2.0/token`, `/oauth2/v2.0/devicecode` (routes/token.ts). */
export const ENTRA: Api = {
  name: "entra",
  owns: (path) => TOKEN_ROUTES.some((r) => r.re.test(path)),
  routes: TOKEN_ROUTES,
  style: ENTRA_STYLE,
  throttled: false,
  logged: false,
  faultsByPathOnly: true,
  partnerCenterWrites: false,
  recased: false,
  customerId: none,
};

/** `/v1.0/tenantRelationships/...`: GDAP (routes/gdap/). Its throttle lane is the partner's. */
export const GRAPH: Api = {
  name: "graph",
  owns: (path) => path.toLowerCase().startsWith("/v1.0/tenantrelationships"),
  routes: GRAPH_ROUTES,
  style: GRAPH_STYLE,
  auth: { audience: GRAPH_RESOURCE },
  throttled: true,
  logged: true,
  faultsByPathOnly: false,
  partnerCenterWrites: false,
  recased: false,
  customerId: none,
};

/** Everything else: Partner Center's REST API (routes/index.ts). */
export const PARTNER_CENTER: Api = {
  name: "partnerCenter",
  owns: () => true,
  routes: PARTNER_CENTER_ROUTES,
  style: PARTNER_CENTER_STYLE,
  auth: { audience: null },
  throttled: true,
  logged: true,
  faultsByPathOnly: false,
  partnerCenterWrites: true,
  recased: true,
  customerId: customerIdFromPath,
};

export const APIS: readonly Api[] = [ENTRA, GRAPH, PARTNER_CENTER];

/** The API that answers `path`. */
export function apiFor(path: string): Api {
  return APIS.find((a) => a.owns(path)) ?? PARTNER_CENTER;
}

function customerIdFromPath(path: string): string | null {
  const m = /^\/v1\/customers\/([^/]+)/i.exec(path);
  if (!m || m[1]!.toLowerCase() === "relationshiprequests") return null;
  try {
    return decodeURIComponent(m[1]!).toLowerCase();
  } catch {
    return m[1]!.toLowerCase();
  }
}
