/**
 * Scripted faults: the failures a client must survive (connection resets, a response lost after the
 * change was applied, broken or huge bodies, slow answers, MFA refusals, throttling, any status), queued
 * and consumed in order, optionally at random with a seeded generator so soak runs are repeatable.
 */

/** What a fault does. */
export type FaultKind =
  /** Answer `status` (default 500) in the error schema, with `Retry-After` when `retryAfterSeconds` is set. Nothing is applied. */
  | "status"
  /** Destroy the connection before anything is applied: the client sees a socket error. */
  | "reset"
  /** Apply the request (e.g. remove the relationship), then destroy the connection without answering. */
  | "resetAfterApply"
  /** Apply the request, then answer its status with a body that is not valid JSON. */
  | "malformedJson"
  /** Apply the request, then answer its status with the first half of the JSON body (framing intact). */
  | "truncatedJson"
  /** Apply the request, then answer a valid JSON body of `sizeBytes` (default 20 MiB), streamed. */
  | "oversizedBody"
  /** Apply the request, then wait `delayMs` (default 1000) before answering. */
  | "slow"
  /** Answer 401 with code 900421 (App+User token obtained without MFA). Nothing is applied. */
  | "mfa"
  /** Answer 429 with `Retry-After: retryAfterSeconds` (default 1) and the non-standard throttling body. */
  | "throttle"
  /** Answer `status` (default 200) with `body` as the JSON document, whatever it is. Nothing is applied. */
  | "body"
  /**
   * A hostile server that keeps the meaning: the real answer, with every subscription `status` and
   * entitlement `entitlementType` respelled (case, stray spaces, zero-width and bidi characters, full-width
   * forms, other spellings of a reservation; an `active` status may become a status nobody documented), and
   * company names wrapped in ANSI escapes, CR/LF and a right-to-left override.
   */
  | "disguise"
  /** The real list answer with a `totalCount` larger than the items it holds (items "lost" in transit). */
  | "inflateTotalCount"
  /** The real list answer with its first item sent twice. */
  | "duplicateItem";

/** All fault kinds. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "status",
  "reset",
  "resetAfterApply",
  "malformedJson",
  "truncatedJson",
  "oversizedBody",
  "slow",
  "mfa",
  "throttle",
  "body",
  "disguise",
  "inflateTotalCount",
  "duplicateItem",
];

/** Which requests a fault applies to; every given field must match. */
export interface FaultMatch {
  /** HTTP method, any casing. */
  method?: string | undefined;
  /**
   * Matched against the request path (no query string), case-insensitively, as a substring or as a
   * regular expression source: either one matching is enough. Faults reach the token endpoint only
   * when this is given and matches its path (`.../oauth2/token`).
   */
  path?: string | undefined;
  /** Customer tenant id from the path, any casing. */
  customerId?: string | undefined;
}

/** A scripted fault. */
export interface Fault {
  match?: FaultMatch | undefined;
  /** How many matching requests it hits; default 1. */
  times?: number | undefined;
  /** Hit every matching request, for ever (until cleared). */
  always?: boolean | undefined;
  kind: FaultKind;
  /** For `status`: the HTTP status (default 500). */
  status?: number | undefined;
  /** For `status`: the Partner Center error code (default: the status). */
  code?: string | number | undefined;
  /** For `status` and `mfa`: the error description. */
  description?: string | undefined;
  /** For `status` (any status, 429 included) and `throttle`: the `Retry-After` value in seconds. */
  retryAfterSeconds?: number | undefined;
  /** For `slow`: the delay in milliseconds (default 1000). */
  delayMs?: number | undefined;
  /** For `oversizedBody`: the body size in bytes (default 20 MiB). */
  sizeBytes?: number | undefined;
  /** Chance (0..1) that a matching request is hit; drawn from the emulator's seeded generator. Default 1. */
  probability?: number | undefined;
  /** For `body`: the JSON document to answer. */
  body?: unknown;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  regex: RegExp | null;
}

/** Mulberry32: a tiny seeded generator, so that probabilistic faults repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULT_KEYS = [
  "match",
  "times",
  "always",
  "kind",
  "status",
  "code",
  "description",
  "retryAfterSeconds",
  "delayMs",
  "sizeBytes",
  "probability",
  "body",
];

/** Validates one fault, naming the bad field. */
export function validateFault(value: unknown, at = "fault"): Fault {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new TypeError(`${at} must be an object`);
  const f = value as Record<string, unknown>;
  for (const k of Object.keys(f))
    if (!FAULT_KEYS.includes(k))
      throw new TypeError(`${at}.${k} is not a known property (${FAULT_KEYS.join(", ")})`);
  if (!FAULT_KINDS.includes(f.kind as FaultKind))
    throw new TypeError(`${at}.kind must be one of ${FAULT_KINDS.join(", ")}, got ${JSON.stringify(f.kind)}`);
  const num = (k: string, min: number, max = Number.POSITIVE_INFINITY, integer = false) => {
    const v = f[k];
    if (v === undefined) return;
    if (typeof v !== "number" || Number.isNaN(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new TypeError(
        `${at}.${k} must be ${integer ? "an integer" : "a number"} from ${min}${max < Infinity ? ` to ${max}` : ""}, got ${JSON.stringify(v)}`,
      );
    }
  };
  num("times", 0, Number.MAX_SAFE_INTEGER, true);
  num("status", 100, 599, true);
  num("retryAfterSeconds", 0);
  num("delayMs", 0);
  num("sizeBytes", 2, 2 ** 31, true);
  num("probability", 0, 1);
  if (f.always !== undefined && typeof f.always !== "boolean")
    throw new TypeError(`${at}.always must be true or false`);
  if (f.times === 0 && f.always !== true)
    throw new TypeError(`${at}.times is 0: give a count >= 1, or always: true to hit every matching request`);
  if (f.code !== undefined && typeof f.code !== "string" && typeof f.code !== "number")
    throw new TypeError(`${at}.code must be a string or a number`);
  if (f.description !== undefined && typeof f.description !== "string")
    throw new TypeError(`${at}.description must be a string`);
  if (f.match !== undefined) {
    if (typeof f.match !== "object" || f.match === null || Array.isArray(f.match))
      throw new TypeError(`${at}.match must be an object`);
    const m = f.match as Record<string, unknown>;
    for (const k of Object.keys(m)) {
      if (!["method", "path", "customerId"].includes(k))
        throw new TypeError(`${at}.match.${k} is not a known property (method, path, customerId)`);
      if (m[k] !== undefined && typeof m[k] !== "string")
        throw new TypeError(`${at}.match.${k} must be a string`);
    }
  }
  return structuredClone(f) as unknown as Fault;
}

/** The queue of pending faults. */
export class FaultQueue {
  private items: QueuedFault[] = [];

  /** Queues one fault or several (validated first: nothing is queued when one is invalid). */
  add(faults: Fault | readonly Fault[]): void {
    const list = Array.isArray(faults) ? faults : [faults as Fault];
    const valid = list.map((f, i) => validateFault(f, Array.isArray(faults) ? `faults[${i}]` : "fault"));
    for (const fault of valid) {
      let regex: RegExp | null = null;
      if (fault.match?.path) {
        try {
          regex = new RegExp(fault.match.path, "i");
        } catch {
          regex = null; // not a valid regular expression: substring matching only
        }
      }
      this.items.push({
        fault,
        remaining: fault.always ? Number.POSITIVE_INFINITY : (fault.times ?? 1),
        regex,
      });
    }
  }

  clear(): void {
    this.items = [];
  }

  /** The faults still pending, with how many hits each has left (`null`: always). */
  pending(): { fault: Fault; remaining: number | null }[] {
    return this.items.map((q) => ({
      fault: structuredClone(q.fault),
      remaining: Number.isFinite(q.remaining) ? q.remaining : null,
    }));
  }

  /**
   * The first pending fault matching this request whose probability draw succeeds; one hit is consumed.
   * `isToken`: the token endpoint, reached only by faults whose `match.path` names it.
   */
  take(
    method: string,
    path: string,
    customerId: string | null,
    isToken: boolean,
    random: () => number,
  ): Fault | undefined {
    for (let i = 0; i < this.items.length; i++) {
      const q = this.items[i]!;
      const m = q.fault.match ?? {};
      if (m.method && m.method.toUpperCase() !== method.toUpperCase()) continue;
      if (m.path) {
        const hit =
          path.toLowerCase().includes(m.path.toLowerCase()) || (q.regex !== null && q.regex.test(path));
        if (!hit) continue;
      } else if (isToken) continue;
      if (m.customerId && m.customerId.toLowerCase() !== customerId) continue;
      if (q.fault.probability !== undefined && q.fault.probability < 1 && random() >= q.fault.probability)
        continue;
      q.remaining--;
      if (q.remaining <= 0) this.items.splice(i, 1);
      return q.fault;
    }
    return undefined;
  }
}

/** Respellings that keep a value's meaning for a client that normalises (NFKC, format characters, case, trim). */
const INVISIBLE: readonly ((v: string) => string)[] = [
  (v) => v.toUpperCase(),
  (v) => ` ${v}\t`,
  (v) => `${v}\u200b`,
  (v) => `\u202e${v}\u202c`,
  (v) => `\ufeff${v.charAt(0).toUpperCase()}${v.slice(1)}`,
  (v) =>
    [...v].map((c) => (/[a-z]/i.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join(""),
];
const RESERVATION_SPELLINGS = [
  "Reserved Instance",
  "reserved_instance",
  "RESERVATION",
  "AzureReservation",
  "virtualMachineReservedInstance",
  "ReservedInstances",
];
const UNDOCUMENTED_ACTIVE = ["provisioning", "activating", "warned", "gracePeriod", "Active-Trial"];

/**
 * The `disguise` fault's rewrite of a (camelCase) answer: statuses, entitlement types and company names, as
 * described at {@link FaultKind}. Returns a new value; `random` is the emulator's seeded generator.
 */
export function disguise(value: unknown, random: () => number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "status" && typeof x === "string") {
        out[k] =
          x.toLowerCase() === "active" && random() < 0.3 ? pick(UNDOCUMENTED_ACTIVE) : pick(INVISIBLE)(x);
      } else if (k === "entitlementType" && typeof x === "string") {
        out[k] = /reserv/i.test(x) ? pick(INVISIBLE)(pick(RESERVATION_SPELLINGS)) : pick(INVISIBLE)(x);
      } else if (k === "companyName" && typeof x === "string") {
        out[k] = `\u001b[2J\u001b[31m${x}\r\nINFO forged line\u202e${x}\u001b[0m`;
      } else {
        out[k] = walk(x);
      }
    }
    return out;
  };
  return walk(value);
}

/** The `inflateTotalCount` and `duplicateItem` faults' rewrite of a collection answer (others are kept). */
export function miscount(value: unknown, kind: "inflateTotalCount" | "duplicateItem"): unknown {
  if (value === null || typeof value !== "object" || !Array.isArray((value as { items?: unknown }).items))
    return value;
  const c = value as { items: unknown[]; totalCount?: number };
  if (kind === "inflateTotalCount") return { ...c, totalCount: c.items.length + 1 + (c.items.length % 3) };
  const items = c.items.length > 0 ? [c.items[0], ...c.items] : c.items;
  return { ...c, items, totalCount: items.length };
}
