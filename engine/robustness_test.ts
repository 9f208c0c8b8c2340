import assert from "node:assert/strict";
import {
  type DegradedMetrics,
  listDegradations,
  measureNmiSpread,
  summarizeRobustness,
} from "./robustness.ts";

function entry(name: string, set: "test" | "held_out", top1: number, ece: number): DegradedMetrics {
  return { kind: "corruption", name, set, severity: 1, top1, top5: null, ece, nll: 1, brier: 0.5, count: 10 };
}

Deno.test("listDegradations lists five severities per corruption, then levels", () => {
  const list = listDegradations({
    corruptions: ["fog", "saturate"],
    distortions: ["blur"],
    distortionLevels: [0.2, 0.4],
    valPerClass: 0,
  });

  assert.equal(list.length, 2 * 5 + 2);
  assert.deepEqual(list[0], { kind: "corruption", name: "fog", severity: 1 });
  assert.deepEqual(list[9], { kind: "corruption", name: "saturate", severity: 5 });
  assert.deepEqual(list[11], { kind: "distortion", name: "blur", level: 0.4 });
});

Deno.test("summarizeRobustness averages the test and held-out sets apart", () => {
  const distortion: DegradedMetrics = {
    kind: "distortion",
    name: "blur",
    level: 0.5,
    top1: 0,
    top5: null,
    ece: 1,
    nll: 1,
    brier: 1,
    count: 10,
  };
  const result = summarizeRobustness([
    entry("fog", "test", 0.5, 0.1),
    entry("contrast", "test", 0.7, 0.3),
    entry("saturate", "held_out", 0.9, 0.2),
    distortion,
  ], 10);

  assert.ok(Math.abs(result.meanCorruptionTop1! - 0.6) < 1e-12);
  assert.ok(Math.abs(result.meanCorruptionEce! - 0.2) < 1e-12);
  assert.equal(result.meanHeldOutTop1, 0.9);
  assert.equal(result.valImages, 10);
  assert.equal(result.entries.length, 4);
});

Deno.test("summarizeRobustness leaves means out without corruptions", () => {
  const result = summarizeRobustness([], 5);

  assert.equal(result.meanCorruptionTop1, undefined);
  assert.equal(result.meanHeldOutTop1, undefined);
  assert.equal("meanCorruptionEce" in result, false);
});

Deno.test("measureNmiSpread gives NMI 1 and epsilon 0 for identical images", () => {
  const images = Uint8Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => (i * 37) % 256);
  const split = { images, labels: Int32Array.of(0, 1), count: 2, height: 4, width: 4 };

  const { nmi, epsilon } = measureNmiSpread(split, split);

  assert.deepEqual(nmi, { mean: 1, std: 0 });
  assert.deepEqual(epsilon, { mean: 0, std: 0 });
});

Deno.test("measureNmiSpread caps epsilon at 0.9 for unrelated images", () => {
  const clean = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i * 37) % 256);
  const constant = new Uint8Array(clean.length).fill(128);
  const split = (images: Uint8Array) => ({ images, labels: Int32Array.of(0), count: 1, height: 4, width: 4 });

  const { nmi, epsilon } = measureNmiSpread(split(clean), split(constant));

  // A constant degraded channel shares no information with a varying clean one: NMI 0.
  assert.equal(nmi.mean, 0);
  assert.equal(epsilon.mean, 0.9);
});
