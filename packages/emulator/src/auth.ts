/** Bearer-token check for API routes: static tokens, or tokens the token endpoint issued and not yet expired. */
import type * as http from "node:http";
import { header, pcError, type ApiResult } from "./results";
import type { Store } from "./state";

export function authenticate(state: Store, req: http.IncomingMessage): ApiResult | null {
  const wa = { "WWW-Authenticate": "Bearer" };
  const h = header(req, "authorization");
  if (!h) return pcError(401, 400, "Access denied: send an Authorization: Bearer <access token> header.", wa);
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) return pcError(401, 400, "Access denied: the Authorization header must be a Bearer token.", wa);
  const token = m[1]!;
  if (state.config.staticAccessTokens.includes(token)) return null;
  const exp = state.accessTokens.get(token);
  if (exp === undefined) return pcError(401, 400, "Access denied: the access token is not valid.", wa);
  if (exp <= Date.now()) return pcError(401, 400, "Access denied: the access token has expired.", wa);
  return null;
}
