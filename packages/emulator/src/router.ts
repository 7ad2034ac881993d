/**
 * Route tables: a route maps a path pattern to a handler per method, and a handler is a function of the request
 * context, the decoded path parameters and the store. Each API (apis.ts) has its table; the first match wins.
 */
import type { Ctx } from "./context";
import type { ApiResult } from "./results";
import type { Store } from "./state";

/** A route handler: a function of the request, the decoded path parameters and the store. */
export type Handler = (ctx: Ctx, params: string[], state: Store) => ApiResult;

export interface Route {
  re: RegExp;
  methods: Readonly<Record<string, Handler>>;
  /** What the path names, for an error's wording (e.g. "an access assignment"); the path when absent. */
  noun?: string;
}

/** The outcome of {@link matchRoute}: a handler with its parameters, or why none. */
export type Match =
  | { handler: Handler; params: string[] }
  | { miss: "notFound" }
  | { miss: "notAllowed"; route: Route; allow: string[] };

/** The handler for `method` on `path` in `routes`, with its decoded parameters; or a miss (404, 405). */
export function matchRoute(routes: readonly Route[], method: string, path: string): Match {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (!m) continue;
    const handler = r.methods[method];
    if (!handler) return { miss: "notAllowed", route: r, allow: Object.keys(r.methods) };
    const params = m.slice(1).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
    return { handler, params };
  }
  return { miss: "notFound" };
}
