/**
 * client/core/pacing-lane.ts: one throttle scope's arithmetic, on the default options. The gate, the measure of
 * the limit taken at a run of 429s and the cut below it (multiplicative decrease), and the climb back then the
 * probe beyond (additive increase). How the limiter uses lanes: pacing.test.ts.
 */
import { Lane } from "../../../provider/src/client/core/pacing-lane";
import { DEFAULT_PACING as O } from "../../../provider/src/client/core/pacing-options";

/** A paced lane that measured `estimate` requests per second and now goes at `rate`. */
function paced(estimate: number, rate: number): Lane {
  const l = new Lane(rate, false);
  l.estimate = estimate;
  return l;
}

describe("extendGate", () => {
  test("closes the gate until the time given and pushes the next start behind it", () => {
    const l = new Lane(10, false);
    l.next = 500;
    l.extendGate(2_000);
    expect(l).toMatchObject({ gateUntil: 2_000, next: 2_000 });
  });

  test("never reopens earlier, and keeps a next start already later", () => {
    const l = new Lane(10, false);
    l.extendGate(5_000);
    l.extendGate(3_000);
    expect(l.gateUntil).toBe(5_000);
    l.next = 9_000;
    l.extendGate(6_000);
    expect(l).toMatchObject({ gateUntil: 6_000, next: 9_000 });
  });
});

describe("decrease (a run of 429s taken as the limit)", () => {
  test("too few answers to measure: the gate closes, the rate stays", () => {
    const l = new Lane(Infinity, false);
    l.cycleStart = 0;
    l.served = O.minServedToMeasure - 1;
    l.decrease(O, 10_000, 4_000);
    expect(l).toMatchObject({
      gateUntil: 10_000,
      rate: Infinity,
      estimate: undefined,
      lastDecreaseAt: 4_000,
    });
    expect(l.served).toBe(O.minServedToMeasure - 1);
  });

  test("from unlimited: what was served over the burst and the wait is the limit; the rate is 0.9 of it", () => {
    const l = new Lane(Infinity, true);
    l.cycleStart = 0;
    l.served = 100;
    l.decrease(O, 10_000, 4_000);
    // 100 answers over the 10 s from the cycle's start to the reopening.
    expect(l.estimate).toBeCloseTo(10);
    expect(l.rate).toBeCloseTo(9);
    // A new cycle starts at the reopening, with nothing served yet; slow start is over.
    expect(l).toMatchObject({
      cycleStart: 10_000,
      served: 0,
      slowStart: false,
      gateUntil: 10_000,
      next: 10_000,
    });
  });

  test.each([
    ["down by 0.9 at most (6 per second measured)", 30, 9, 8.1],
    ["as measured between the bounds (9.6 per second)", 48, 9.6, 8.64],
    ["up to the old estimate only (40 per second measured)", 200, 10, 9],
  ])("paced: the measure is the rate served since the last reopening, %s", (_, served, estimate, rate) => {
    const l = paced(10, 9.7);
    l.cycleStart = 10_000;
    l.served = served; // over the 5 s until now
    l.decrease(O, 20_000, 15_000);
    expect(l.estimate).toBeCloseTo(estimate);
    expect(l.rate).toBeCloseTo(rate);
  });

  test("the rate and the estimate never drop below minRatePerSecond", () => {
    const l = new Lane(Infinity, false);
    l.cycleStart = 0;
    l.served = O.minServedToMeasure;
    l.decrease(O, 1_000_000, 1_000);
    expect(l.estimate).toBe(O.minRatePerSecond);
    expect(l.rate).toBe(O.minRatePerSecond);
  });
});

describe("increase", () => {
  test("below 0.97 of the measure: climbs by 5 % of it per second, a second at most per step", () => {
    const l = paced(10, 5);
    l.increase(O, 1_000);
    expect(l.rate).toBeCloseTo(5.5);
    l.increase(O, 60_000); // a minute idle counts as one second
    expect(l.rate).toBeCloseTo(6);
    expect(l.plateauSince).toBeUndefined();
  });

  test("stops at 0.97 of the measure, where the probe starts", () => {
    const l = paced(10, 9.6);
    l.increase(O, 1_000);
    expect(l.rate).toBeCloseTo(9.7);
    expect(l.plateauSince).toBe(1_000);
  });

  test("beyond it, probes slowly, twice as fast every probeDoublingMs, at most 64 times", () => {
    /** One second's probe step, `sincePlateau` ms after the plateau began. */
    const step = (sincePlateau: number): number => {
      const l = paced(10, 9.7);
      l.plateauSince = 0;
      l.lastIncrease = sincePlateau - 1_000;
      l.increase(O, sincePlateau);
      return l.rate - 9.7;
    };
    expect(step(0)).toBeCloseTo(O.probePerSecond * 10);
    expect(step(O.probeDoublingMs) / step(0)).toBeCloseTo(2);
    expect(step(6 * O.probeDoublingMs) / step(0)).toBeCloseTo(64);
    expect(step(20 * O.probeDoublingMs) / step(0)).toBeCloseTo(64);
  });

  test("the fixed cap, a lane in slow start, an unmeasured or unlimited lane do not move", () => {
    const lanes = [
      new Lane(1, false, true),
      new Lane(300, true),
      new Lane(5, false),
      new Lane(Infinity, false),
    ];
    lanes[0]!.estimate = 10;
    lanes[1]!.estimate = 10;
    lanes[3]!.estimate = 10;
    for (const l of lanes) l.increase(O, 1_000);
    expect(lanes.map((l) => l.rate)).toEqual([1, 300, 5, Infinity]);
  });

  test("the first start opens the lane's cycle", () => {
    const l = new Lane(Infinity, false);
    l.increase(O, 1_234);
    l.increase(O, 5_000);
    expect(l.cycleStart).toBe(1_234);
  });
});
