import assert from "node:assert/strict";
import {
  brierScore,
  calibrationBinIndex,
  expectedCalibrationError,
  maximumCalibrationError,
  MIN_PROBABILITY,
  negativeLogLikelihood,
  reliabilityDiagram,
  summarizeClassification,
  top1Accuracy,
  top1Predictions,
  topKAccuracy,
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

// Five rows, four classes, with the label's rank under the lower-index tie rule:
// row 0 ties 0.4/0.4 and the label is the later class: rank 1.
// row 1 is uniform and the label is the last class: rank 3.
// row 2 has its label on top: rank 0.
// row 3 has its label at the bottom: rank 3.
// row 4 ties 0.3/0.3 and the label is the later class: rank 1.
// deno-fmt-ignore
const TIED_PROBABILITIES = new Float32Array([
  0.1, 0.4, 0.4, 0.1,
  0.25, 0.25, 0.25, 0.25,
  0.7, 0.1, 0.1, 0.1,
  0.1, 0.2, 0.3, 0.4,
  0.3, 0.3, 0.2, 0.2,
]);
const TIED_LABELS = new Int32Array([2, 3, 0, 0, 1]);

Deno.test("topKAccuracy breaks ties by lower index", () => {
  // Ranks 1, 3, 0, 3, 1. A row counts when its rank is below k.
  // Ranking by strictly higher probability alone would give 3/5 for k = 1, not 1/5.
  assertNear(topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, 1), 1 / 5, 0, "k = 1");
  assertNear(topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, 2), 3 / 5, 0, "k = 2");
  assertNear(topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, 3), 3 / 5, 0, "k = 3");
  assert.equal(topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, 4), 1);
});

Deno.test("topKAccuracy with k = 1 equals top1Accuracy", () => {
  assert.equal(topKAccuracy(PROBABILITIES, LABELS, 3, 1), top1Accuracy(PROBABILITIES, LABELS, 3));
  assert.equal(
    topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, 1),
    top1Accuracy(TIED_PROBABILITIES, TIED_LABELS, 4),
  );
  // In PROBABILITIES the labels of rows 1 and 3 rank second, so top-2 is 4/4.
  assert.equal(topKAccuracy(PROBABILITIES, LABELS, 3, 2), 1);
});

Deno.test("topKAccuracy rejects invalid k", () => {
  assert.throws(
    () => topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, 5),
    /k must be an integer in \[1, numClasses = 4\], got 5/,
  );
  assert.throws(() => topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, 0), /got 0\./);
  assert.throws(() => topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, 1.5), /got 1\.5\./);
  assert.throws(() => topKAccuracy(TIED_PROBABILITIES, TIED_LABELS, 4, Number.NaN), /got NaN\./);
});

Deno.test("brierScore hand-computed", () => {
  // Sum over classes of (p_c - y_c)² per row:
  // row 0: 0.3² + 0.2² + 0.1² = 0.14, row 1: 0.1² + 0.7² + 0.6² = 0.86,
  // row 2: 0.2² + 0.5² + 0.3² = 0.38, row 3: 0.4² + 0.6² + 0.2² = 0.56.
  // Mean = 1.94 / 4 = 0.485. The tolerance covers float32 rounding.
  assertNear(brierScore(PROBABILITIES, LABELS, 3), 0.485, 1e-6, "brier");
});

Deno.test("brierScore bounds and uniform rows", () => {
  // A one-hot row scores 0 on its own class and 2 on any other.
  assert.equal(brierScore(new Float32Array([0, 1]), new Int32Array([1]), 2), 0);
  assert.equal(brierScore(new Float32Array([1, 0]), new Int32Array([1]), 2), 2);
  // Uniform over 4 classes: 0.75² + 3 * 0.25² = 1 - 1/4 = 0.75, exact in float32.
  const uniform = new Float32Array([0.25, 0.25, 0.25, 0.25]);
  assert.equal(brierScore(uniform, new Int32Array([2]), 4), 0.75);
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

Deno.test("reliabilityDiagram hand-computed with 0 and 1", () => {
  // The data of the ECE test above, 4 bins:
  // bin 0: 0.25 (right) and 0.0 (wrong): mean confidence 0.125, accuracy 0.5
  // bin 1: 0.5 (wrong): 0.5, 0
  // bin 2: 0.75 and 0.6 (both right): 0.675, 1
  // bin 3: 1.0 (right): 1, 1
  const confidences = new Float32Array([0.25, 0.5, 0.75, 1, 0, 0.6]);
  const correct = new Uint8Array([1, 0, 1, 1, 0, 1]);
  const diagram = reliabilityDiagram(confidences, correct, 4);
  assert.equal(diagram.length, 4);
  assert.deepEqual(diagram.map((bin) => bin.lower), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(diagram.map((bin) => bin.upper), [0.25, 0.5, 0.75, 1]);
  assert.deepEqual(diagram.map((bin) => bin.count), [2, 1, 2, 1]);
  assert.deepEqual(diagram.map((bin) => bin.accuracy), [0.5, 0, 1, 1]);
  const expectedConfidences = [0.125, 0.5, 0.675, 1];
  diagram.forEach((bin, index) => {
    assert.notEqual(bin.meanConfidence, null, `bin ${index} confidence`);
    assertNear(bin.meanConfidence ?? Number.NaN, expectedConfidences[index], 1e-7, `bin ${index} confidence`);
  });
});

Deno.test("reliabilityDiagram puts 0 first and 1 last", () => {
  // With 15 bins, 0 goes to bin 0 and 1 to bin 14, and the 13 bins between stay empty.
  const diagram = reliabilityDiagram(new Float32Array([0, 1]), new Uint8Array([0, 1]));
  assert.equal(diagram.length, 15);
  assert.deepEqual(diagram[0], { lower: 0, upper: 1 / 15, count: 1, meanConfidence: 0, accuracy: 0 });
  assert.deepEqual(diagram[14], { lower: 14 / 15, upper: 1, count: 1, meanConfidence: 1, accuracy: 1 });
  for (let index = 1; index < 14; index++) {
    assert.equal(diagram[index].count, 0, `bin ${index} count`);
    assert.equal(diagram[index].meanConfidence, null, `bin ${index} confidence`);
    assert.equal(diagram[index].accuracy, null, `bin ${index} accuracy`);
  }
  assert.equal(expectedCalibrationError(new Float32Array([0, 1]), new Uint8Array([0, 1])), 0);
  assert.equal(maximumCalibrationError(new Float32Array([0, 1]), new Uint8Array([0, 1])), 0);
});

// Five bins. 0 -> bin 0 (wrong), 0.3 -> bin 1 (wrong), bins 2 and 3 empty,
// 0.95 twice -> bin 4 (one right). Gaps |acc - conf|: 0, 0.3, -, -, |0.5 - 0.95| = 0.45.
const SPARSE_CONFIDENCES = new Float32Array([0.95, 0.95, 0.3, 0]);
const SPARSE_CORRECT = new Uint8Array([1, 0, 0, 0]);

Deno.test("reliabilityDiagram reports empty bins as null", () => {
  const diagram = reliabilityDiagram(SPARSE_CONFIDENCES, SPARSE_CORRECT, 5);
  assert.deepEqual(diagram.map((bin) => bin.count), [1, 1, 0, 0, 2]);
  assert.deepEqual(diagram.map((bin) => bin.accuracy), [0, 0, null, null, 0.5]);
  assert.equal(diagram[2].meanConfidence, null);
  assert.equal(diagram[3].meanConfidence, null);
  assertNear(diagram[4].meanConfidence ?? Number.NaN, 0.95, 1e-7, "bin 4 confidence");
  // null survives a JSON round trip, where NaN would come back as null.
  assert.deepEqual(JSON.parse(JSON.stringify(diagram)), diagram);
});

Deno.test("maximumCalibrationError hand-computed with empty bins", () => {
  // MCE = max(0, 0.3, 0.45) = 0.45.
  // ECE = (1/4) * 0 + (1/4) * 0.3 + (2/4) * 0.45 = 0.3, so MCE > ECE here.
  assertNear(maximumCalibrationError(SPARSE_CONFIDENCES, SPARSE_CORRECT, 5), 0.45, 1e-7, "mce");
  assertNear(expectedCalibrationError(SPARSE_CONFIDENCES, SPARSE_CORRECT, 5), 0.3, 1e-7, "ece");
});

Deno.test("maximumCalibrationError hand-computed with 0 and 1", () => {
  // Bin gaps of the reliabilityDiagram test: |0.5 - 0.125| = 0.375, 0.5, |1 - 0.675| = 0.325, 0.
  const confidences = new Float32Array([0.25, 0.5, 0.75, 1, 0, 0.6]);
  const correct = new Uint8Array([1, 0, 1, 1, 0, 1]);
  assertNear(maximumCalibrationError(confidences, correct, 4), 0.5, 1e-7, "mce");
});

Deno.test("maximumCalibrationError extremes", () => {
  const calibrated = new Float32Array([0.75, 0.75, 0.75, 0.75]);
  assert.equal(maximumCalibrationError(calibrated, new Uint8Array([1, 1, 0, 1])), 0);
  assert.equal(maximumCalibrationError(new Float32Array([1, 1]), [false, false]), 1);
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
  // The gaps per bin are 0.3, 0.6, 0.5 and 0.4, so MCE = 0.6.
  assertNear(summary.mce, 0.6, 1e-7, "mce");
  assertNear(summary.brier, 0.485, 1e-6, "brier");
  assert.equal(summary.top5, null);
  assert.equal(summary.reliabilityDiagram.length, 15);
  const filled = summary.reliabilityDiagram.flatMap((bin, index) => (bin.count > 0 ? [index] : []));
  assert.deepEqual(filled, [6, 7, 9, 10]);
});

Deno.test("summarizeClassification top5 over six classes", () => {
  // Row 0: four classes above the label 0.1 and class 4 ties it at a lower index: rank 5, out.
  // Row 1: label 4 has four classes above it: rank 4, in.
  // Row 2: label 0 is behind class 5 only: rank 1, in. Top-5 = 2/3, top-1 = 0.
  // deno-fmt-ignore
  const probabilities = new Float32Array([
    0.3, 0.2, 0.15, 0.15, 0.1, 0.1,
    0.3, 0.2, 0.15, 0.15, 0.1, 0.1,
    0.05, 0.05, 0.05, 0.05, 0.05, 0.75,
  ]);
  const labels = new Int32Array([5, 4, 0]);
  const summary = summarizeClassification(probabilities, labels, 6);
  assert.equal(summary.top1, 0);
  assertNear(summary.top5 ?? Number.NaN, 2 / 3, 0, "top5");
  assert.equal(summary.top5, topKAccuracy(probabilities, labels, 6, 5));
});

Deno.test("summarizeClassification top5 over five classes", () => {
  // With K = 5 every label is in the top 5.
  const probabilities = new Float32Array([0.6, 0.1, 0.1, 0.1, 0.1]);
  assert.equal(summarizeClassification(probabilities, new Int32Array([4]), 5).top5, 1);
});

Deno.test("summarizeClassification survives JSON", () => {
  // top5 is null for K = 3, and 11 of the 15 bins are empty.
  const summary = summarizeClassification(PROBABILITIES, LABELS, 3);
  const text = JSON.stringify(summary);
  assert.ok(!text.includes("NaN"), text);
  assert.deepEqual(JSON.parse(text), summary);
});

Deno.test("summarizeClassification matches the single metrics", () => {
  const summary = summarizeClassification(PROBABILITIES, LABELS, 3);
  const { predictions, confidences } = top1Predictions(PROBABILITIES, 3);
  const correct = predictions.map((prediction, row) => (prediction === LABELS[row] ? 1 : 0));
  assert.equal(summary.top1, top1Accuracy(PROBABILITIES, LABELS, 3));
  assert.equal(summary.nll, negativeLogLikelihood(PROBABILITIES, LABELS, 3));
  assert.equal(summary.ece, expectedCalibrationError(confidences, new Uint8Array(correct)));
  assert.equal(summary.mce, maximumCalibrationError(confidences, new Uint8Array(correct)));
  assert.equal(summary.brier, brierScore(PROBABILITIES, LABELS, 3));
  assert.deepEqual(summary.reliabilityDiagram, reliabilityDiagram(confidences, new Uint8Array(correct)));
});

Deno.test("classification metrics name the NaN row", () => {
  const probabilities = new Float32Array([0.5, 0.5, 0.9, 0.1, Number.NaN, 0.3]);
  const labels = new Int32Array([0, 1, 0]);
  assert.throws(() => top1Accuracy(probabilities, labels, 2), /Probability NaN in row 2, class 0/);
  assert.throws(() => negativeLogLikelihood(probabilities, labels, 2), /row 2/);
  assert.throws(() => summarizeClassification(probabilities, labels, 2), /row 2/);
  assert.throws(() => topKAccuracy(probabilities, labels, 2, 1), /Probability NaN in row 2, class 0/);
  assert.throws(() => brierScore(probabilities, labels, 2), /Probability NaN in row 2, class 0/);
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
  assert.throws(() => maximumCalibrationError(nan, [true, false]), /Confidence NaN at index 0/);
  assert.throws(() => reliabilityDiagram(nan, [true, false]), /Confidence NaN at index 0/);
  assert.throws(() => maximumCalibrationError(new Float32Array(0), []), /at least one example/);
  assert.throws(
    () => reliabilityDiagram(confidences, [true, false], 2.5),
    /bins must be a positive integer, got 2.5/,
  );
});
