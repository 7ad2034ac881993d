/**
 * In a Pulumi program: when an update fails, the engine shuts its resource monitor down while the program may
 * still be registering the stack's outputs. @pulumi/pulumi (3.248 and earlier) marks that call's error "Resource
 * monitor is terminating", closes its connections and means not to report it, but also re-raises it as an
 * unhandled rejection; its handler then tries to log it over the closed connection and prints "failed to deliver
 * log message ... Channel has been shut down" under the stack, after the real failure was already shown.
 *
 * That one rejection is taken here, before the SDK's handlers see it, and the program ends with the runner's
 * "already reported" exit code (32), on which the language host adds nothing: the update still fails, with the
 * resource's own error as its message. Any other rejection goes to the SDK's handlers as before.
 */

/** The runner's exit code for "an actionable message was already shown" (@pulumi/pulumi cmd/run). */
const ALREADY_REPORTED = 32;
/** gRPC status codes the SDK treats as the monitor going away. */
const UNAVAILABLE = 14;
const CANCELLED = 1;

/** The SDK's own marker for an RPC that failed because the engine is shutting its monitor down. */
export function isMonitorTermination(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  const code = (reason as { code?: unknown }).code;
  return (code === UNAVAILABLE || code === CANCELLED) && reason.message === "Resource monitor is terminating";
}

let installed = false;

/** Installs the filter once, in a program run by @pulumi/pulumi's runner only. */
export function quietMonitorTermination(main: string | undefined = require.main?.filename): void {
  if (installed || !main || !/[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run[\\/]/.test(main)) return;
  installed = true;
  const emit = process.emit;
  process.emit = function (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) {
    if (event === "unhandledRejection" && isMonitorTermination(args[0])) {
      if (!process.exitCode) process.exitCode = ALREADY_REPORTED;
      return true;
    }
    return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof process.emit;
}

quietMonitorTermination();
