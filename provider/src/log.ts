/**
 * Provider log lines, attributed to the resource a call is about, so that the CLI shows each under its resource.
 *
 * The provider plugin knows every call's URN and has an engine connection (`pulumi.log`). @pulumi/pulumi's dynamic
 * provider host gives our methods neither, but it is started with the engine's address as its first argument, and
 * each request it decodes carries the URN. Inside that host, the request classes' getters (which the host calls
 * to hand us the id and properties) note the request's URN for the rest of the call, and lines go to the engine's
 * Log call directly. The host loads this package inside its first call, after that call's getters ran: that one
 * call (a process's first check, or the first read of a refresh) is not attributed. A line the engine does not
 * take is printed as before, under the stack.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";

type Severity = "info" | "warn";

/** The URN of the resource a provider call is about, where it is known. */
const callResource = new AsyncLocalStorage<string>();

/** Runs one provider call on behalf of the resource `urn` (the provider plugin knows it from each request). */
export function onBehalfOf<T>(urn: string, call: () => T): T {
  return urn ? callResource.run(urn, call) : call();
}

/** The engine's Log call, reached from inside the dynamic provider host; null elsewhere. */
type EngineLog = (severity: Severity, urn: string, message: string) => Promise<boolean>;

/** Request classes the dynamic provider host decodes, and the getters it calls on them. */
const REQUESTS = [
  "CheckRequest",
  "DiffRequest",
  "CreateRequest",
  "ReadRequest",
  "UpdateRequest",
  "DeleteRequest",
];
const GETTERS = ["getId", "getOlds", "getNews", "getProperties"];

/** Whether this process is @pulumi/pulumi's dynamic provider host (not the plugin, a program or a CLI). */
export const inDynamicHost = /[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(
  require.main?.filename ?? "",
);

/* eslint-disable @typescript-eslint/no-explicit-any */
function dynamicHostEngine(): EngineLog | null {
  const main = require.main?.filename ?? "";
  const address = process.argv[2];
  if (!inDynamicHost || !address) return null;
  try {
    // The host's own copies: the patched classes must be the ones it decodes requests with.
    const fromHost = createRequire(main);
    const grpc = fromHost("@grpc/grpc-js");
    const provproto = fromHost("../../proto/provider_pb");
    const engproto = fromHost("../../proto/engine_pb");
    const engrpc = fromHost("../../proto/engine_grpc_pb");
    for (const name of REQUESTS) {
      const proto = provproto[name]?.prototype;
      if (typeof proto?.getUrn !== "function") continue;
      for (const getter of GETTERS) {
        const original = proto[getter];
        if (typeof original !== "function") continue;
        proto[getter] = function (this: any, ...args: unknown[]) {
          const urn = this.getUrn();
          if (urn) callResource.enterWith(urn);
          return original.apply(this, args);
        };
      }
    }
    const engine = new engrpc.EngineClient(address, grpc.credentials.createInsecure());
    const level = { info: engproto.LogSeverity.INFO, warn: engproto.LogSeverity.WARNING };
    return (severity, urn, message) =>
      new Promise((resolve) => {
        const req = new engproto.LogRequest();
        req.setSeverity(level[severity]);
        req.setMessage(message);
        req.setUrn(urn);
        // A dead engine must not hold a call: the line is printed instead.
        engine.log(req, { deadline: Date.now() + 5000 }, (err: unknown) => resolve(!err));
      });
  } catch {
    return null;
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

// Installed when the package loads, so the getters are patched before the host's next call.
const hostLog = dynamicHostEngine();
/** Lines sent to the engine and not yet answered. */
const pending = new Set<Promise<unknown>>();

function emit(severity: Severity, subject: string, line: string): void {
  const message = `partnercenter ${subject}: ${line}`;
  const urn = callResource.getStore();
  if (hostLog && urn) {
    const sent = hostLog(severity, urn, message).then((ok) => {
      if (!ok) void pulumi.log[severity](message);
    });
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
    return;
  }
  // pulumi.log needs only a resource's `urn` output to send the engine a Log request with that URN.
  const resource =
    urn === undefined ? undefined : ({ urn: pulumi.output(urn) } as unknown as pulumi.Resource);
  void pulumi.log[severity](message, resource);
}

/**
 * Resolves when every line sent so far has been answered by the engine: a call's lines reach the engine before
 * its answer does, so the CLI shows them with the step, not after it.
 */
export async function logsDelivered(): Promise<void> {
  while (pending.size > 0) await Promise.all(pending);
}

/** One provider log line, prefixed with its subject (the customer, relationship or assignment id). */
export function log(subject: string, line: string): void {
  emit("info", subject, line);
}

/** A warning line, like {@link log}. */
export function warn(subject: string, line: string): void {
  emit("warn", subject, line);
}
