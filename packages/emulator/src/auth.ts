/**
 * Bearer-token check, once for every API that needs one (apis.ts): static tokens, or tokens the token endpoint
 * issued, not yet expired, and for the API's audience when it names one. The API's error style words the refusal.
 */
import type * as http from "node:http";
import { header } from "./context";
import type { Store } from "./state";

/** Why a request is not authenticated. */
export type AuthFailure = "missing" | "malformed" | "unknown" | "expired" | "audience";

/**
 * Null when the request carries an acceptable token, else why not. `audience` null: any token the emulator
 * issued (Partner Center's routes have always accepted a Graph token too).
 */
export function authenticate(
  state: Store,
  req: http.IncomingMessage,
  audience: string | null,
): AuthFailure | null {
  const h = header(req, "authorization");
  if (!h) return "missing";
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) return "malformed";
  const token = m[1]!;
  if (state.config.staticAccessTokens.includes(token)) return null;
  const exp = state.accessTokens.get(token);
  if (exp === undefined) return "unknown";
  if (exp <= Date.now()) return "expired";
  if (audience !== null && !state.tokensFor(audience).has(token)) return "audience";
  return null;
}
