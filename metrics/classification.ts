/**
 * Classification metrics over softmax outputs: top-1 and top-k accuracy,
 * negative log-likelihood, Brier score, expected and maximum calibration error
 * (ECE, MCE) and reliability diagram data.
 *
 * Every function is pure and takes row-major typed arrays: `probabilities` of
 * shape [N, K] with one softmax distribution per row, and `labels` of shape [N]
 * with class indices in [0, K). Sums are accumulated in float64.
 *
 * @example
 * ```ts
 * const probabilities = new Float32Array([0.9, 0.1, 0.2, 0.8]);
 * const labels = new Int32Array([0, 0]);
 * const summary = summarizeClassification(probabilities, labels, 2);
 * // top1 0.5, top5 null (K < 5), nll (-ln 0.9 - ln 0.2) / 2 ≈ 0.857,
 * // brier ((0.1² + 0.1²) + (0.8² + 0.8²)) / 2 = 0.65,
 * // ece (|1 - 0.9| + |0 - 0.8|) / 2 ≈ 0.45, mce max(0.1, 0.8) ≈ 0.8, count 2
 * ```
 *
 * @module
 */

/** Lower clamp on the label probability in {@linkcode negativeLogLikelihood}, so that p = 0 gives a finite loss. */
export const MIN_PROBABILITY = 1e-12;

/** Number of equal-width confidence bins that {@linkcode summarizeClassification} uses for ECE and MCE. */
export const DEFAULT_CALIBRATION_BINS = 15;

/** The k of the top-k accuracy in {@linkcode ClassificationSummary}. */
export const SUMMARY_TOP_K = 5;

/** Metrics of one evaluation pass. */
export interface ClassificationSummary {
  /** Top-1 accuracy, a fraction in [0, 1]. */
  top1: number;
  /**
   * Top-5 accuracy, a fraction in [0, 1], or null when K < 5. A top-5 accuracy
   * over fewer than 5 classes would be 1 for every model, so it is left out
   * instead of reported as a perfect score.
   */
  top5: number | null;
  /** Mean negative log-likelihood of the true label, in nats, in [0, -ln 1e-12 ≈ 27.63]. */
  nll: number;
  /** Multi-class Brier score as computed by {@linkcode brierScore}, in [0, 2] for rows that sum to 1. */
  brier: number;
  /** Expected calibration error with 15 bins, a fraction in [0, 1]. */
  ece: number;
  /** Maximum calibration error with the same 15 bins, a fraction in [0, 1]. */
  mce: number;
  /** Reliability diagram data of the top-1 confidence, one entry per bin of the 15, in bin order. */
  reliabilityDiagram: ReliabilityBin[];
  /** Number of examples N. */
  count: number;
}

/**
 * One equal-width bin of a reliability diagram.
 *
 * An empty bin has count 0 and null for meanConfidence and accuracy, because
 * JSON has no NaN. The values therefore read back from JSON as they were written.
 */
export interface ReliabilityBin {
  /** Lower edge i/B. The bin excludes it, except bin 0, which also contains confidence 0. */
  lower: number;
  /** Upper edge (i+1)/B, which the bin includes. */
  upper: number;
  /** Number of examples whose top-1 confidence falls in the bin. */
  count: number;
  /** Mean top-1 confidence of those examples in [0, 1], or null when count is 0. */
  meanConfidence: number | null;
  /** Fraction of those examples whose top-1 prediction is right, or null when count is 0. */
  accuracy: number | null;
}

/** Top-1 predictions of each row. */
export interface Top1Predictions {
  /** Predicted class per row, shape [N], values in [0, K). */
  predictions: Int32Array;
  /** Probability of the predicted class per row, shape [N], values in [0, 1]. */
  confidences: Float32Array;
}

/**
 * Checks that probabilities [N, K] and labels [N] fit together and contain valid values.
 *
 * @throws {RangeError} on a non-integer or non-positive K, N = 0, a length
 *   mismatch, a label outside [0, K), or a probability that is NaN or outside [0, 1].
 */
export function validateClassificationInputs(
  probabilities: Float32Array,
  labels: Int32Array,
  numClasses: number,
): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`numClasses must be a positive integer, got ${numClasses}.`);
  }
  if (labels.length === 0) {
    throw new RangeError("The metrics need at least one example, but labels is empty.");
  }
  if (probabilities.length !== labels.length * numClasses) {
    throw new RangeError(
      `probabilities has ${probabilities.length} values, but ${labels.length} labels and ${numClasses} classes ` +
        `need ${labels.length * numClasses} (row-major [N, K]). Pass one softmax row per label.`,
    );
  }
  for (let row = 0; row < labels.length; row++) {
    const label = labels[row];
    if (label < 0 || label >= numClasses) {
      throw new RangeError(`Label ${label} in row ${row} is outside [0, ${numClasses}). Check numClasses.`);
    }
    for (let column = 0; column < numClasses; column++) {
      const probability = probabilities[row * numClasses + column];
      if (!(probability >= 0 && probability <= 1)) {
        throw new RangeError(
          `Probability ${probability} in row ${row}, class ${column} is not in [0, 1]. ` +
            "Pass softmax outputs, and check the model for NaN logits.",
        );
      }
    }
  }
}

/**
 * Finds the top-1 class and its probability in each row of a [N, K] array.
 * Of equal maxima the lowest class index wins. Inputs are not validated here.
 */
export function top1Predictions(probabilities: Float32Array, numClasses: number): Top1Predictions {
  const count = probabilities.length / numClasses;
  const predictions = new Int32Array(count);
  const confidences = new Float32Array(count);
  for (let row = 0; row < count; row++) {
    const offset = row * numClasses;
    let best = 0;
    for (let column = 1; column < numClasses; column++) {
      if (probabilities[offset + column] > probabilities[offset + best]) best = column;
    }
    predictions[row] = best;
    confidences[row] = probabilities[offset + best];
  }
  return { predictions, confidences };
}

/**
 * Computes top-1 accuracy: the fraction of rows whose largest probability is
 * at the label. Of equal maxima the lowest class index counts as the prediction.
 *
 * @param probabilities Softmax outputs, shape [N, K], row-major, values in [0, 1].
 * @param labels True classes, shape [N], values in [0, K).
 * @param numClasses K.
 * @returns A fraction in [0, 1].
 * @throws {RangeError} on invalid inputs, as listed at {@linkcode validateClassificationInputs}.
 */
export function top1Accuracy(probabilities: Float32Array, labels: Int32Array, numClasses: number): number {
  validateClassificationInputs(probabilities, labels, numClasses);
  const { predictions } = top1Predictions(probabilities, numClasses);
  let correct = 0;
  for (let row = 0; row < labels.length; row++) {
    if (predictions[row] === labels[row]) correct++;
  }
  return correct / labels.length;
}

/**
 * Computes top-k accuracy: the fraction of rows whose label is among the k
 * classes of highest probability.
 *
 * Classes are ranked by descending probability, and equal probabilities are
 * ranked by ascending class index, as a stable sort would order them. The
 * label's rank is therefore the number of classes with a strictly higher
 * probability plus the number of lower-indexed classes with the same
 * probability, and the row counts as right when that rank is below k. This is
 * the tie rule of {@linkcode top1Predictions}, so k = 1 equals {@linkcode top1Accuracy}.
 *
 * @param probabilities Softmax outputs, shape [N, K], row-major, values in [0, 1].
 * @param labels True classes, shape [N], values in [0, K).
 * @param numClasses K.
 * @param k Number of top classes that count, an integer in [1, K].
 * @returns A fraction in [0, 1].
 * @throws {RangeError} on invalid inputs, as listed at {@linkcode validateClassificationInputs},
 *   or on a k that is not an integer in [1, K].
 */
export function topKAccuracy(
  probabilities: Float32Array,
  labels: Int32Array,
  numClasses: number,
  k: number,
): number {
  validateClassificationInputs(probabilities, labels, numClasses);
  if (!Number.isInteger(k) || k < 1 || k > numClasses) {
    throw new RangeError(
      `k must be an integer in [1, numClasses = ${numClasses}], got ${k}. Lower k or check numClasses.`,
    );
  }
  return countTopK(probabilities, labels, numClasses, k) / labels.length;
}

/** Counts rows whose label ranks below k, with the tie rule of {@linkcode topKAccuracy}. No validation. */
function countTopK(probabilities: Float32Array, labels: Int32Array, numClasses: number, k: number): number {
  let correct = 0;
  for (let row = 0; row < labels.length; row++) {
    const offset = row * numClasses;
    const label = labels[row];
    const labelProbability = probabilities[offset + label];
    let rank = 0;
    for (let column = 0; column < numClasses; column++) {
      const probability = probabilities[offset + column];
      if (probability > labelProbability || (probability === labelProbability && column < label)) rank++;
    }
    if (rank < k) correct++;
  }
  return correct;
}

/**
 * Computes the multi-class Brier score: the mean over rows of the sum over
 * classes of (p_c - y_c)², where y is the one-hot label.
 *
 * The squared errors are summed over the K classes, not averaged over them,
 * so the score lies in [0, 2] for rows that sum to 1. A one-hot row scores 0
 * on its own class and 2 on any other. Rows are not checked to sum to 1, and a
 * row with a larger sum can score above 2.
 *
 * @param probabilities Softmax outputs, shape [N, K], row-major, values in [0, 1].
 * @param labels True classes, shape [N], values in [0, K).
 * @param numClasses K.
 * @returns The mean score, in [0, 2] for rows that sum to 1.
 * @throws {RangeError} on invalid inputs, as listed at {@linkcode validateClassificationInputs}.
 */
export function brierScore(probabilities: Float32Array, labels: Int32Array, numClasses: number): number {
  validateClassificationInputs(probabilities, labels, numClasses);
  let sum = 0;
  for (let row = 0; row < labels.length; row++) {
    const offset = row * numClasses;
    for (let column = 0; column < numClasses; column++) {
      const target = column === labels[row] ? 1 : 0;
      const difference = probabilities[offset + column] - target;
      sum += difference * difference;
    }
  }
  return sum / labels.length;
}

/**
 * Computes the mean negative log-likelihood of the true labels, mean(-ln p_label), in nats.
 *
 * Each p_label is clamped to at least {@linkcode MIN_PROBABILITY} (1e-12), so a
 * label probability of exactly 0, which float32 softmax gives for very negative
 * logits, adds -ln 1e-12 ≈ 27.63 instead of Infinity. The result therefore
 * stays finite and is at most 27.63.
 *
 * @param probabilities Softmax outputs, shape [N, K], row-major, values in [0, 1].
 * @param labels True classes, shape [N], values in [0, K).
 * @param numClasses K.
 * @returns Mean NLL in nats, in [0, -ln 1e-12 ≈ 27.63].
 * @throws {RangeError} on invalid inputs, as listed at {@linkcode validateClassificationInputs}.
 */
export function negativeLogLikelihood(
  probabilities: Float32Array,
  labels: Int32Array,
  numClasses: number,
): number {
  validateClassificationInputs(probabilities, labels, numClasses);
  let sum = 0;
  for (let row = 0; row < labels.length; row++) {
    const probability = probabilities[row * numClasses + labels[row]];
    sum -= Math.log(Math.max(probability, MIN_PROBABILITY));
  }
  return sum / labels.length;
}

function validateCalibrationInputs(
  confidences: Float32Array,
  correct: Uint8Array | boolean[],
  bins: number,
): void {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`bins must be a positive integer, got ${bins}.`);
  }
  if (confidences.length === 0) {
    throw new RangeError("Calibration metrics need at least one example, but confidences is empty.");
  }
  if (correct.length !== confidences.length) {
    throw new RangeError(
      `confidences has ${confidences.length} values but correct has ${correct.length}. Pass one flag per example.`,
    );
  }
  for (let i = 0; i < confidences.length; i++) {
    if (!(confidences[i] >= 0 && confidences[i] <= 1)) {
      throw new RangeError(
        `Confidence ${confidences[i]} at index ${i} is not in [0, 1]. Pass top-1 probabilities.`,
      );
    }
    const flag = correct[i];
    if (flag !== true && flag !== false && flag !== 0 && flag !== 1) {
      throw new RangeError(`correct[${i}] is ${flag}. Use 0 or 1 (or false or true).`);
    }
  }
}

/**
 * Returns the index of the equal-width bin that contains a confidence in [0, 1].
 *
 * Bin i of B covers (i/B, (i+1)/B], so a confidence on an edge goes to the
 * lower bin. A confidence of exactly 0 has no such bin and goes to bin 0, and
 * exactly 1 lands in bin B - 1. The index is ceil(c * B) - 1 computed in
 * float64 on the given value.
 */
export function calibrationBinIndex(confidence: number, bins: number): number {
  if (confidence <= 0) return 0;
  return Math.min(bins - 1, Math.ceil(confidence * bins) - 1);
}

/**
 * Assigns examples to equal-width bins of the top-1 confidence and returns
 * each bin's edges, count, mean confidence and accuracy.
 *
 * Bin i of B covers (i/B, (i+1)/B], except that a confidence of exactly 0 goes
 * to the first bin and 1 to the last (see {@linkcode calibrationBinIndex}).
 * Empty bins are kept, with count 0 and null for meanConfidence and accuracy.
 * {@linkcode expectedCalibrationError} and {@linkcode maximumCalibrationError}
 * are computed from this data.
 *
 * @param confidences Top-1 probability per example, shape [N], values in [0, 1].
 * @param correct Whether each top-1 prediction is right, shape [N], as 0/1 or false/true.
 * @param bins Number of bins B, a positive integer, 15 by default.
 * @returns B bins in ascending order of confidence.
 * @throws {RangeError} on N = 0, a length mismatch, a confidence that is NaN or
 *   outside [0, 1], a flag other than 0/1/false/true, or a non-positive B.
 */
export function reliabilityDiagram(
  confidences: Float32Array,
  correct: Uint8Array | boolean[],
  bins: number = DEFAULT_CALIBRATION_BINS,
): ReliabilityBin[] {
  validateCalibrationInputs(confidences, correct, bins);
  const counts = new Float64Array(bins);
  const confidenceSums = new Float64Array(bins);
  const correctSums = new Float64Array(bins);
  for (let i = 0; i < confidences.length; i++) {
    const bin = calibrationBinIndex(confidences[i], bins);
    counts[bin] += 1;
    confidenceSums[bin] += confidences[i];
    correctSums[bin] += correct[i] ? 1 : 0;
  }

  const diagram: ReliabilityBin[] = [];
  for (let bin = 0; bin < bins; bin++) {
    const count = counts[bin];
    diagram.push({
      lower: bin / bins,
      upper: (bin + 1) / bins,
      count,
      meanConfidence: count === 0 ? null : confidenceSums[bin] / count,
      accuracy: count === 0 ? null : correctSums[bin] / count,
    });
  }
  return diagram;
}

/**
 * Computes the expected calibration error over equal-width bins of the top-1 confidence.
 *
 * ECE = sum over bins b of (n_b / N) * |acc_b - conf_b|, where acc_b is the
 * fraction of correct predictions and conf_b the mean confidence in bin b. Empty
 * bins contribute 0. The bins are those of {@linkcode reliabilityDiagram}.
 *
 * @param confidences Top-1 probability per example, shape [N], values in [0, 1].
 * @param correct Whether each top-1 prediction is right, shape [N], as 0/1 or false/true.
 * @param bins Number of bins B, a positive integer, 15 by default.
 * @returns A fraction in [0, 1].
 * @throws {RangeError} on invalid inputs, as listed at {@linkcode reliabilityDiagram}.
 */
export function expectedCalibrationError(
  confidences: Float32Array,
  correct: Uint8Array | boolean[],
  bins: number = DEFAULT_CALIBRATION_BINS,
): number {
  return expectedCalibrationErrorOfDiagram(reliabilityDiagram(confidences, correct, bins));
}

/**
 * Computes the maximum calibration error over equal-width bins of the top-1 confidence.
 *
 * MCE = max over non-empty bins b of |acc_b - conf_b|, with the bins of
 * {@linkcode reliabilityDiagram}. Unlike ECE, a bin with a single example
 * weighs as much as a bin with thousands, so MCE is noisy when N is small.
 *
 * @param confidences Top-1 probability per example, shape [N], values in [0, 1].
 * @param correct Whether each top-1 prediction is right, shape [N], as 0/1 or false/true.
 * @param bins Number of bins B, a positive integer, 15 by default.
 * @returns A fraction in [0, 1].
 * @throws {RangeError} on invalid inputs, as listed at {@linkcode reliabilityDiagram}.
 */
export function maximumCalibrationError(
  confidences: Float32Array,
  correct: Uint8Array | boolean[],
  bins: number = DEFAULT_CALIBRATION_BINS,
): number {
  return maximumCalibrationErrorOfDiagram(reliabilityDiagram(confidences, correct, bins));
}

function expectedCalibrationErrorOfDiagram(diagram: ReliabilityBin[]): number {
  let total = 0;
  for (const bin of diagram) total += bin.count;
  let error = 0;
  for (const { count, accuracy, meanConfidence } of diagram) {
    if (accuracy === null || meanConfidence === null) continue;
    error += (count / total) * Math.abs(accuracy - meanConfidence);
  }
  return error;
}

function maximumCalibrationErrorOfDiagram(diagram: ReliabilityBin[]): number {
  let error = 0;
  for (const { accuracy, meanConfidence } of diagram) {
    if (accuracy === null || meanConfidence === null) continue;
    error = Math.max(error, Math.abs(accuracy - meanConfidence));
  }
  return error;
}

/**
 * Computes the metrics of one evaluation pass: top-1 and top-5 accuracy, NLL,
 * Brier score, and ECE, MCE and reliability diagram data over 15 bins.
 *
 * @param probabilities Softmax outputs, shape [N, K], row-major, values in [0, 1].
 * @param labels True classes, shape [N], values in [0, K).
 * @param numClasses K.
 * @returns The fields of {@linkcode ClassificationSummary}. top5 is null when K < 5.
 * @throws {RangeError} on invalid inputs, as listed at {@linkcode validateClassificationInputs}.
 */
export function summarizeClassification(
  probabilities: Float32Array,
  labels: Int32Array,
  numClasses: number,
): ClassificationSummary {
  validateClassificationInputs(probabilities, labels, numClasses);
  const { predictions, confidences } = top1Predictions(probabilities, numClasses);
  const correct = new Uint8Array(labels.length);
  let correctCount = 0;
  for (let row = 0; row < labels.length; row++) {
    correct[row] = predictions[row] === labels[row] ? 1 : 0;
    correctCount += correct[row];
  }
  const diagram = reliabilityDiagram(confidences, correct, DEFAULT_CALIBRATION_BINS);
  const top5 = numClasses < SUMMARY_TOP_K
    ? null
    : countTopK(probabilities, labels, numClasses, SUMMARY_TOP_K) / labels.length;
  return {
    top1: correctCount / labels.length,
    top5,
    nll: negativeLogLikelihood(probabilities, labels, numClasses),
    brier: brierScore(probabilities, labels, numClasses),
    ece: expectedCalibrationErrorOfDiagram(diagram),
    mce: maximumCalibrationErrorOfDiagram(diagram),
    reliabilityDiagram: diagram,
    count: labels.length,
  };
}
