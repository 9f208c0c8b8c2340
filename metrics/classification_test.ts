import assert from "node:assert/strict";
import {
  calibrationBinIndex,
  expectedCalibrationError,
  MIN_PROBABILITY,
  negativeLogLikelihood,
  summarizeClassification,
  top1Accuracy,
  top1Predictions,
} from "./classification.ts";

function assertNear(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${label}: got ${actual}, expected ${expected} within ${tolerance}`,
  );
}

// Four rows, three classes. Predictions: row 0 -> 0 (right), row 1 -> 2 (wrong),
// row 2 -> 1 (right), row 3 ties 0.4/0.4 and picks class 0 (wrong).
// deno-fmt-ignore
const PROBABILITIES = new Float32Array([
  0.7, 0.2, 0.1,
  0.1, 0.3, 0.6,
  0.2, 0.5, 0.3,
  0.4, 0.4, 0.2,
]);
const LABELS = new Int32Array([0, 1, 1, 1]);

Deno.test("top1Accuracy hand-computed with a tie", () => {
  // 2 right of 4 = 0.5. If the tie in row 3 went to class 1, it would be 0.75.
  assert.equal(top1Accuracy(PROBABILITIES, LABELS, 3), 0.5);
});

Deno.test("top1Predictions picks lowest index on ties", () => {
  const { predictions, confidences } = top1Predictions(PROBABILITIES, 3);
  assert.deepEqual(Array.from(predictions), [0, 2, 1, 0]);
  assert.deepEqual(Array.from(confidences), Array.from(new Float32Array([0.7, 0.6, 0.5, 0.4])));
});

Deno.test("negativeLogLikelihood hand-computed", () => {
  // Label probabilities 0.7, 0.3, 0.5, 0.4:
  // -(ln 0.7 + ln 0.3 + ln 0.5 + ln 0.4) / 4
  // = (0.356675 + 1.203973 + 0.693147 + 0.916291) / 4 = 0.792521.
  // The tolerance covers the float32 rounding of the probabilities.
  assertNear(negativeLogLikelihood(PROBABILITIES, LABELS, 3), 0.7925214, 1e-6, "nll");
});

Deno.test("negativeLogLikelihood clamps zero probability", () => {
  // Row 0 gives its label probability 0, clamped to 1e-12: -ln 1e-12 = 27.631021.
  // Row 1: -ln 0.5 = 0.693147. Mean = (27.631021 + 0.693147) / 2 = 14.162084.
  const probabilities = new Float32Array([1, 0, 0.5, 0.5]);
  const labels = new Int32Array([1, 0]);
  const nll = negativeLogLikelihood(probabilities, labels, 2);
  assert.ok(Number.isFinite(nll));
  assertNear(nll, 14.1620841, 1e-6, "nll with p = 0");
  assertNear(-Math.log(MIN_PROBABILITY), 27.6310211, 1e-6, "clamp value");
});

Deno.test("negativeLogLikelihood of certain right answers is 0", () => {
  assert.equal(negativeLogLikelihood(new Float32Array([0, 1, 1, 0]), new Int32Array([1, 0]), 2), 0);
});

Deno.test("calibrationBinIndex edges", () => {
  // Bin i of 4 covers (i/4, (i+1)/4], so an edge goes to the lower bin.
  assert.equal(calibrationBinIndex(0, 4), 0);
  assert.equal(calibrationBinIndex(1e-9, 4), 0);
  assert.equal(calibrationBinIndex(0.25, 4), 0);
  assert.equal(calibrationBinIndex(0.2500001, 4), 1);
  assert.equal(calibrationBinIndex(0.5, 4), 1);
  assert.equal(calibrationBinIndex(0.75, 4), 2);
  assert.equal(calibrationBinIndex(0.7500001, 4), 3);
  assert.equal(calibrationBinIndex(1, 4), 3);
  assert.equal(calibrationBinIndex(0, 15), 0);
  assert.equal(calibrationBinIndex(1, 15), 14);
});

Deno.test("expectedCalibrationError hand-computed with 0 and 1", () => {
  // 4 bins. Confidences and their bins:
  //   0.25 -> bin 0 (edge), 0.5 -> bin 1 (edge), 0.75 -> bin 2 (edge),
  //   1.0 -> bin 3, 0.0 -> bin 0, 0.6 -> bin 2.
  // bin 0: n 2, correct 1, confidence sum 0.25 -> |1 - 0.25| = 0.75
  // bin 1: n 1, correct 0, confidence sum 0.5  -> |0 - 0.5|  = 0.5
  // bin 2: n 2, correct 2, confidence sum 1.35 -> |2 - 1.35| = 0.65
  // bin 3: n 1, correct 1, confidence sum 1.0  -> 0
  // ECE = sum (n_b / N) |acc_b - conf_b| = (0.75 + 0.5 + 0.65 + 0) / 6 = 0.316667.
  const confidences = new Float32Array([0.25, 0.5, 0.75, 1, 0, 0.6]);
  const correct = new Uint8Array([1, 0, 1, 1, 0, 1]);
  assertNear(expectedCalibrationError(confidences, correct, 4), 1.9 / 6, 1e-7, "ece");
});

Deno.test("expectedCalibrationError skips empty bins", () => {
  // All four confidences fall in bin 13 of 15, so 14 bins are empty:
  // |3 correct - 4 * 0.9| / 4 = 0.15. One bin over [0, 1] gives the same.
  const confidences = new Float32Array([0.9, 0.9, 0.9, 0.9]);
  const correct = [true, true, true, false];
  assertNear(expectedCalibrationError(confidences, correct), 0.15, 1e-7, "15 bins");
  assertNear(expectedCalibrationError(confidences, correct, 1), 0.15, 1e-7, "1 bin");
});

Deno.test("expectedCalibrationError is 0 when calibrated", () => {
  // Confidence 0.75 (exact in float32) with 3 of 4 right.
  const confidences = new Float32Array([0.75, 0.75, 0.75, 0.75]);
  assert.equal(expectedCalibrationError(confidences, new Uint8Array([1, 1, 0, 1])), 0);
});

Deno.test("expectedCalibrationError of all-wrong certainty is 1", () => {
  const confidences = new Float32Array([1, 1]);
  assert.equal(expectedCalibrationError(confidences, [false, false]), 1);
});

Deno.test("expectedCalibrationError booleans equal bytes", () => {
  const confidences = new Float32Array([0.1, 0.35, 0.62, 0.97, 0.5]);
  const bytes = new Uint8Array([0, 1, 1, 1, 0]);
  const booleans = [false, true, true, true, false];
  assert.equal(expectedCalibrationError(confidences, booleans), expectedCalibrationError(confidences, bytes));
});

Deno.test("summarizeClassification hand-computed", () => {
  // Top-1 confidences 0.7, 0.6, 0.5, 0.4 fall in bins 10, 9, 7 and 6 of 15,
  // one each, with correct flags 1, 0, 1, 0:
  // ECE = (|1 - 0.7| + |0 - 0.6| + |1 - 0.5| + |0 - 0.4|) / 4 = 1.8 / 4 = 0.45.
  const summary = summarizeClassification(PROBABILITIES, LABELS, 3);
  assert.equal(summary.count, 4);
  assert.equal(summary.top1, 0.5);
  assertNear(summary.nll, 0.7925214, 1e-6, "nll");
  assertNear(summary.ece, 0.45, 1e-7, "ece");
});

Deno.test("summarizeClassification matches the single metrics", () => {
  const summary = summarizeClassification(PROBABILITIES, LABELS, 3);
  const { predictions, confidences } = top1Predictions(PROBABILITIES, 3);
  const correct = predictions.map((prediction, row) => (prediction === LABELS[row] ? 1 : 0));
  assert.equal(summary.top1, top1Accuracy(PROBABILITIES, LABELS, 3));
  assert.equal(summary.nll, negativeLogLikelihood(PROBABILITIES, LABELS, 3));
  assert.equal(summary.ece, expectedCalibrationError(confidences, new Uint8Array(correct)));
});

Deno.test("classification metrics name the NaN row", () => {
  const probabilities = new Float32Array([0.5, 0.5, 0.9, 0.1, Number.NaN, 0.3]);
  const labels = new Int32Array([0, 1, 0]);
  assert.throws(() => top1Accuracy(probabilities, labels, 2), /Probability NaN in row 2, class 0/);
  assert.throws(() => negativeLogLikelihood(probabilities, labels, 2), /row 2/);
  assert.throws(() => summarizeClassification(probabilities, labels, 2), /row 2/);
});

Deno.test("classification metrics reject bad shapes", () => {
  const labels = new Int32Array([0, 1]);
  assert.throws(
    () => top1Accuracy(new Float32Array(5), labels, 3),
    /has 5 values, but 2 labels and 3 classes need 6/,
  );
  assert.throws(() => top1Accuracy(new Float32Array(0), new Int32Array(0), 3), /at least one example/);
  assert.throws(
    () => top1Accuracy(new Float32Array(4), labels, 0),
    /numClasses must be a positive integer, got 0/,
  );
  assert.throws(() => top1Accuracy(new Float32Array(4), labels, 1.5), /got 1.5/);
});

Deno.test("classification metrics reject bad labels and values", () => {
  const probabilities = new Float32Array([0.5, 0.5, 0.5, 0.5]);
  assert.throws(
    () => top1Accuracy(probabilities, new Int32Array([0, 2]), 2),
    /Label 2 in row 1 is outside \[0, 2\)/,
  );
  assert.throws(() => top1Accuracy(probabilities, new Int32Array([-1, 0]), 2), /Label -1 in row 0/);
  const negative = new Float32Array([0.5, 0.5, -0.1, 1.1]);
  assert.throws(
    () => top1Accuracy(negative, new Int32Array([0, 0]), 2),
    /Probability -0.1\d* in row 1, class 0/,
  );
});

Deno.test("expectedCalibrationError rejects bad input", () => {
  const confidences = new Float32Array([0.5, 0.7]);
  assert.throws(
    () => expectedCalibrationError(confidences, new Uint8Array([1])),
    /2 values but correct has 1/,
  );
  assert.throws(() => expectedCalibrationError(new Float32Array(0), []), /at least one example/);
  assert.throws(
    () => expectedCalibrationError(confidences, new Uint8Array([1, 2])),
    /correct\[1\] is 2\. Use 0 or 1/,
  );
  assert.throws(
    () => expectedCalibrationError(confidences, [true, false], 0),
    /bins must be a positive integer, got 0/,
  );
  const outOfRange = new Float32Array([0.5, 1.5]);
  assert.throws(() => expectedCalibrationError(outOfRange, [true, false]), /Confidence 1.5 at index 1/);
  const nan = new Float32Array([Number.NaN, 0.5]);
  assert.throws(() => expectedCalibrationError(nan, [true, false]), /Confidence NaN at index 0/);
});
