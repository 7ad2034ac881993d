/** Pacing's options and defaults, its clock, and what a permit and a snapshot are (the limiter is pacing.ts). */
import { systemClock, type Clock } from "./wait";

export { MAX_TIMER_MS, systemClock, type Clock } from "./wait";

/** Limiter options. Every field has a default ({@link DEFAULT_PACING}). */
export interface PacingOptions {
  /** Requests in flight at once. */
  maxConcurrency: number;
  /** Fixed cap on starts per minute, evenly spaced; `undefined`: none. */
  maxRequestsPerMinute: number | undefined;
  /** After a run of 429s the rate becomes this × the rate served over the cycle that ended. */
  decreaseFactor: number;
  /** Additive increase per second, as a fraction of the measured rate, below `nearLimit` (the recovery). */
  increasePerSecond: number;
  /** Additive increase per second above `nearLimit`, at first (probing for a higher limit). */
  probePerSecond: number;
  /** The probe's increase doubles every this many ms without a run of 429s (up to 64 times). */
  probeDoublingMs: number;
  /** Fraction of the measured rate up to which the rate climbs quickly. */
  nearLimit: number;
  /** The rate never drops below this (requests per second). */
  minRatePerSecond: number;
  /** A run after fewer answers than this in the cycle only closes the gate: too little to measure a rate. */
  minServedToMeasure: number;
  /** Slow start of the partner lane; `false` for none (unlimited until the first run of 429s). */
  slowStart: { initialPerSecond: number; growthPerResponse: number; unlimitedAbovePerSecond: number } | false;
  /** Accepted chance, per request, that stray 429s alone make a run long enough to cut the rate. */
  falseAlarm: number;
  /** The 429 share assumed before there are answers, and how many answers it weighs. */
  noisePrior: { share: number; weight: number };
  /** The 429 share is measured over about this many recent answers (exponentially weighted). */
  noiseHorizon: number;
  /** A 429 for a customer whose share of the recent answers is at most this counts for the partner lane. */
  customerShareForPartnerScope: number;
  /** Customer lanes kept at most (least recently used ones are forgotten). */
  maxTrackedKeys: number;
  clock: Clock;
  /** Receives one line per run of 429s taken as the limit (the client's logger). */
  log: (line: string) => void;
}

/** Defaults of {@link PacingOptions}. */
export const DEFAULT_PACING: PacingOptions = {
  maxConcurrency: 32,
  maxRequestsPerMinute: undefined,
  decreaseFactor: 0.9,
  increasePerSecond: 0.05,
  probePerSecond: 0.002,
  probeDoublingMs: 8000,
  nearLimit: 0.97,
  minRatePerSecond: 0.1,
  minServedToMeasure: 5,
  slowStart: { initialPerSecond: 300, growthPerResponse: 0.02, unlimitedAbovePerSecond: 20_000 },
  falseAlarm: 0.005,
  noisePrior: { share: 0.001, weight: 50 },
  noiseHorizon: 300,
  customerShareForPartnerScope: 0.1,
  maxTrackedKeys: 10_000,
  clock: systemClock,
  log: () => undefined,
};

/** How a paced request ended. */
export type Outcome =
  /** The service answered (any status but 429): it counts as served. */
  | { kind: "served" }
  /** HTTP 429 with the wait it asked for. */
  | { kind: "throttled"; retryAfterMs: number }
  /** No answer (connection error, timeout, abort): says nothing about the limit. */
  | { kind: "failed" };

/** A granted start; call {@link Permit.done} exactly once. */
export interface Permit {
  done(outcome: Outcome): void;
}

/** The scope's gate (a Retry-After) stays closed longer than the caller can wait. */
export class GateClosedError extends Error {
  constructor(
    /** How long the gate stays closed from now, in ms. */
    readonly waitMs: number,
  ) {
    super(`The throttled scope reopens in ${Math.ceil(waitMs / 1000)} s, after this request's deadline.`);
    this.name = "GateClosedError";
  }
}

/** A snapshot for logs and tests. */
export interface PacingSnapshot {
  inFlight: number;
  queued: number;
  /** Requests per second allowed by the partner lane (Infinity: unlimited). */
  partnerRate: number;
  partnerGateOpenInMs: number;
  /** Customer lanes currently rate-limited or closed. */
  limitedCustomers: number;
  /** Share of recent answers that were 429s (the noise floor the evidence is weighed against). */
  throttledShare: number;
  /** 429s in a row that are taken as a full bucket now. */
  runLength: number;
  /** Runs of 429s taken as a full bucket so far (each closed a gate and, when measurable, cut a rate). */
  runs: number;
  /** 429s taken as stray so far (waited out by their own request and customer only). */
  strays: number;
}
