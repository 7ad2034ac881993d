/**
 * The admin API (`/_emulator/...`, LocalStack's developer API): no bearer token, never throttled, never delayed,
 * not in the request log. Given the store only.
 */
import type * as http from "node:http";
import { EstateValidationError } from "../estate";
import type { Fault } from "../faults";
import type { Store } from "../state";

export function admin(
  state: Store,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  body: Buffer,
): void {
  const method = (req.method ?? "GET").toUpperCase();
  const path = url.pathname.replace(/\/+$/, "");
  const reply = (status: number, value?: unknown) => {
    const text = value === undefined ? "" : JSON.stringify(value, null, 2);
    res.writeHead(status, {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(text)),
    });
    res.end(text);
  };
  const json = (): unknown => {
    const t = body.toString("utf8").trim();
    if (!t) throw new TypeError("a JSON body is required");
    try {
      return JSON.parse(t);
    } catch (e) {
      throw new TypeError(`the body is not valid JSON: ${(e as Error).message}`);
    }
  };
  try {
    const accept = /^\/_emulator\/customers\/([^/]+)\/accept$/i.exec(path);
    if (accept && method === "POST") {
      const id = decodeURIComponent(accept[1]!);
      if (!state.find(id)) return reply(404, { error: `no tenant "${id}" in the estate` });
      state.acceptInvitation(id);
      return reply(200, { id: id.toLowerCase(), relationshipToPartner: "reseller" });
    }
    // GDAP: the customer approves a delegated admin relationship (what its approval link does).
    const approve = /^\/_emulator\/gdap\/([^/]+)\/approve$/i.exec(path);
    if (approve && method === "POST") return reply(200, state.gdap.approve(decodeURIComponent(approve[1]!)));
    if (path === "/_emulator/gdap" && method === "GET") return reply(200, state.gdap.state());
    // The user's answer to a device-code sign-in, in place of the browser.
    const device = /^\/_emulator\/devicecode\/([^/]+)\/([a-z]+)$/i.exec(path);
    if (device && method === "POST") {
      const b = body.toString("utf8").trim() ? (json() as { scopes?: unknown }) : {};
      return reply(200, state.deviceCodes.act(decodeURIComponent(device[1]!), device[2]!.toLowerCase(), b));
    }
    if (path === "/_emulator/devicecode" && method === "GET") return reply(200, state.deviceCodes.list());
    // A change made outside Pulumi: a status (terminated, expired...), autoExtendDuration set in the portal.
    const status = /^\/_emulator\/gdap\/([^/]+)\/status$/i.exec(path);
    if (status && method === "POST") {
      const b = json() as { status?: unknown; autoExtendDuration?: unknown; createdDateTime?: unknown };
      if (typeof b.status !== "string") return reply(400, { error: "the body needs a status string" });
      const more: { autoExtendDuration?: string; createdDateTime?: string } = {};
      if (typeof b.autoExtendDuration === "string") more.autoExtendDuration = b.autoExtendDuration;
      if (typeof b.createdDateTime === "string") more.createdDateTime = b.createdDateTime;
      return reply(200, state.gdap.setStatus(decodeURIComponent(status[1]!), b.status, more));
    }
    // An administrator's tenant-wide consent for an app's permissions ("Grant admin consent" in the portal).
    if (path === "/_emulator/consent" && method === "POST")
      return reply(
        200,
        state.deviceCodes.grantAdminConsent(json() as { clientId?: unknown; scopes?: unknown }),
      );
    switch (`${method} ${path}`) {
      case "GET /_emulator/health":
        return reply(200, { status: "ok" });
      case "GET /_emulator/state":
        return reply(200, state.snapshot());
      case "PUT /_emulator/estate": {
        state.loadEstate(json());
        return reply(200, { loaded: state.estate.customers.length });
      }
      case "GET /_emulator/requests":
        return reply(200, state.requests());
      case "DELETE /_emulator/requests":
        state.clearRequests();
        return reply(204);
      case "GET /_emulator/faults":
        return reply(200, state.faults.pending());
      case "POST /_emulator/faults":
        state.addFault(json() as Fault | Fault[]);
        return reply(201, { pending: state.faults.pending().length });
      case "DELETE /_emulator/faults":
        state.clearFaults();
        return reply(204);
      case "GET /_emulator/config":
        return reply(200, state.config);
      case "PATCH /_emulator/config":
        return reply(200, state.configure(json()));
      case "POST /_emulator/tokens/expire":
        return reply(200, { expired: state.expireTokens() });
      case "POST /_emulator/reset":
        state.reset();
        return reply(200, { reset: true });
      default:
        return reply(404, {
          error: `no admin route ${method} ${path}`,
          routes: [
            "GET /_emulator/health",
            "GET /_emulator/state",
            "PUT /_emulator/estate",
            "GET|DELETE /_emulator/requests",
            "GET|POST|DELETE /_emulator/faults",
            "POST /_emulator/customers/{id}/accept",
            "GET /_emulator/gdap",
            "POST /_emulator/gdap/{id}/approve",
            "GET /_emulator/devicecode",
            "POST /_emulator/devicecode/{userCode}/approve|decline|expire|slowdown",
            "POST /_emulator/gdap/{id}/status",
            "POST /_emulator/consent",
            "GET|PATCH /_emulator/config",
            "POST /_emulator/tokens/expire",
            "POST /_emulator/reset",
          ],
        });
    }
  } catch (e) {
    const err = e as Error;
    return reply(
      400,
      err instanceof EstateValidationError
        ? { error: err.message, field: err.field }
        : { error: err.message },
    );
  }
}
