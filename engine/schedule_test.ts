import assert from "node:assert/strict";
import { cosineWithWarmup } from "./schedule.ts";

const options = { baseLearningRate: 0.1, warmupSteps: 10, totalSteps: 110 };

Deno.test("schedule warm-up is linear", () => {
  assert.ok(Math.abs(cosineWithWarmup(0, options) - 0.01) < 1e-12);
  assert.ok(Math.abs(cosineWithWarmup(4, options) - 0.05) < 1e-12);
  assert.ok(Math.abs(cosineWithWarmup(9, options) - 0.1) < 1e-12);
});

Deno.test("schedule cosine halves at midpoint", () => {
  assert.ok(Math.abs(cosineWithWarmup(10, options) - 0.1) < 1e-12);
  assert.ok(Math.abs(cosineWithWarmup(60, options) - 0.05) < 1e-12);
  assert.ok(Math.abs(cosineWithWarmup(110, options)) < 1e-12);
});

Deno.test("schedule without warm-up starts at base", () => {
  assert.equal(cosineWithWarmup(0, { baseLearningRate: 0.2, warmupSteps: 0, totalSteps: 5 }), 0.2);
});
