import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  compareSteps,
  findToleranceViolations,
  runTrainingStep,
  STEP_TOLERANCES,
  type StepComparison,
  type StepResult,
} from "./gpu_step_check.ts";
import { selectBackend } from "./backend.ts";

function stepResult(loss: number, update: number[], mean: number[]): StepResult {
  return {
    loss,
    updates: new Map([["stem.conv", Float32Array.from(update)]]),
    runningStatistics: new Map([["stem.bn.mean", Float32Array.from(mean)]]),
    seconds: 1,
  };
}

Deno.test("compareSteps measures the largest differences", () => {
  const comparison = compareSteps(
    stepResult(1, [0.5, -2, 1], [3, 0]),
    stepResult(1.5, [0.5, -1.75, 1.5], [3, -1]),
  );
  assert.deepEqual(comparison, {
    referenceLoss: 1,
    loss: 1.5,
    variables: [{ name: "stem.conv", maxUpdate: 2, maxDifference: 0.5 }],
    runningStatistics: [{ name: "stem.bn.mean", maxValue: 3, maxDifference: 1 }],
  });
});

Deno.test("compareSteps rejects mismatched variables", () => {
  const candidate = stepResult(1, [1, 2], [0]);
  candidate.updates = new Map([["other", Float32Array.from([1, 2])]]);
  assert.throws(
    () => compareSteps(stepResult(1, [1, 2], [0]), candidate),
    /stem\.conv has 2 values on cpu and no values on the other backend/,
  );
});

function comparison(overrides: Partial<StepComparison>): StepComparison {
  return {
    referenceLoss: 1,
    loss: 1,
    variables: [{ name: "stem.conv", maxUpdate: 0.1, maxDifference: 0 }],
    runningStatistics: [{ name: "stem.bn.mean", maxValue: 0.5, maxDifference: 0 }],
    ...overrides,
  };
}

Deno.test("findToleranceViolations accepts differences at the tolerance", () => {
  const atTolerance = comparison({
    loss: 1 + STEP_TOLERANCES.loss / 2,
    variables: [{ name: "stem.conv", maxUpdate: 0.1, maxDifference: 0.1 * STEP_TOLERANCES.relativeUpdate }],
    runningStatistics: [{
      name: "stem.bn.mean",
      maxValue: 0.5,
      maxDifference: STEP_TOLERANCES.runningStatistic,
    }],
  });
  assert.deepEqual(findToleranceViolations(atTolerance), []);
});

Deno.test("findToleranceViolations reports the loss", () => {
  const violations = findToleranceViolations(comparison({ loss: 1.001 }));
  assert.deepEqual(violations, ["loss 1.001, cpu 1: differs by more than 0.00001"]);
  assert.equal(findToleranceViolations(comparison({ loss: Number.NaN })).length, 1);
});

Deno.test("findToleranceViolations reports an update", () => {
  const violations = findToleranceViolations(
    comparison({ variables: [{ name: "head.kernel", maxUpdate: 0.1, maxDifference: 0.001 }] }),
  );
  assert.equal(violations.length, 1);
  assert.match(
    violations[0],
    /^head\.kernel: updates differ by up to 0\.001, 0\.01 of the largest update 0\.1/,
  );
});

Deno.test("findToleranceViolations rejects a variable without update", () => {
  const violations = findToleranceViolations(
    comparison({ variables: [{ name: "head.bias", maxUpdate: 0, maxDifference: 0 }] }),
  );
  assert.deepEqual(violations, ["head.bias: no update on cpu, so the comparison proves nothing"]);
});

Deno.test("findToleranceViolations reports a running statistic", () => {
  const violations = findToleranceViolations(
    comparison({ runningStatistics: [{ name: "stem.bn.variance", maxValue: 4, maxDifference: 1e-3 }] }),
  );
  assert.deepEqual(violations, ["running statistic stem.bn.variance differs by up to 0.001"]);
});

Deno.test("runTrainingStep repeats on cpu", async () => {
  await selectBackend("cpu");
  const options = { side: 8, batchSize: 2, width: 0.125 };
  const first = await runTrainingStep(options);
  const second = await runTrainingStep(options);
  const numTensors = tf.memory().numTensors;
  await runTrainingStep(options);

  assert.deepEqual(findToleranceViolations(compareSteps(first, second)), []);
  assert.equal(first.loss, second.loss);
  assert.equal(tf.memory().numTensors, numTensors, "runTrainingStep leaves no tensor behind");
});
