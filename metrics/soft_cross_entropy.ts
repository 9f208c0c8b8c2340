/**
 * Cross-entropy against soft targets, the training loss of label smoothing:
 * loss = mean over rows of -sum_k t_k * log_softmax(z)_k.
 *
 * With one-hot targets it equals the usual softmax cross-entropy, and with
 * targets (1 - eps) * onehot + eps / K it equals `tf.losses.softmaxCrossEntropy`
 * with `labelSmoothing: eps`. The targets of each row are meant to be a
 * probability distribution (non-negative, summing to 1), but neither function
 * checks that: the tensor version would have to read the data back from the
 * backend on every training step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Computes the batch mean of -sum(targets * logSoftmax(logits)) on tfjs tensors, in float32.
 *
 * Differentiable with respect to `logits` (the gradient is (softmax(z) - t) / N)
 * and to `targets`. Intermediate tensors are freed, so only the result remains.
 *
 * @param logits Unnormalized scores, shape [N, K], float32.
 * @param targets Target distribution per row, shape [N, K], float32.
 * @returns A float32 scalar in nats, >= 0 when each target row is a distribution.
 * @throws {Error} when the shapes differ, are not rank 2, or N or K is 0, or a dtype is not float32.
 */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  if (logits.rank !== 2 || !tf.util.arraysEqual(logits.shape, targets.shape)) {
    throw new Error(
      `softCrossEntropy needs logits and targets of the same shape [N, K], got [${logits.shape}] and ` +
        `[${targets.shape}].`,
    );
  }
  if (logits.size === 0) {
    throw new Error(`softCrossEntropy needs N >= 1 and K >= 1, got shape [${logits.shape}].`);
  }
  if (logits.dtype !== "float32" || targets.dtype !== "float32") {
    throw new Error(
      `softCrossEntropy needs float32 tensors, got logits ${logits.dtype} and targets ${targets.dtype}. ` +
        "Cast them with tf.cast(x, 'float32').",
    );
  }
  return tf.tidy(() => {
    const rowLosses = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
    return tf.mean(rowLosses) as tf.Scalar;
  });
}

function logSumExp(values: Float32Array, offset: number, count: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < count; k++) max = Math.max(max, values[offset + k]);
  let sum = 0;
  for (let k = 0; k < count; k++) sum += Math.exp(values[offset + k] - max);
  return max + Math.log(sum);
}

/**
 * Computes the same loss as {@linkcode softCrossEntropy} on plain arrays, in
 * float64, as a reference for checks.
 *
 * Each row uses log_softmax(z)_k = z_k - logsumexp(z), with logsumexp computed
 * after subtracting the row maximum so that large logits do not overflow.
 *
 * @param logits Unnormalized scores, shape [N, K], row-major, finite.
 * @param targets Target distribution per row, shape [N, K], row-major, finite.
 * @param numClasses K.
 * @returns The mean loss over the N rows, in nats.
 * @throws {RangeError} on a non-positive K, N = 0, a length mismatch, or a non-finite value (naming its row).
 */
export function softCrossEntropyValues(
  logits: Float32Array,
  targets: Float32Array,
  numClasses: number,
): number {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`numClasses must be a positive integer, got ${numClasses}.`);
  }
  if (logits.length !== targets.length || logits.length === 0 || logits.length % numClasses !== 0) {
    throw new RangeError(
      `logits (${logits.length} values) and targets (${targets.length} values) must both have shape [N, ` +
        `${numClasses}] with N >= 1.`,
    );
  }

  const rows = logits.length / numClasses;
  let total = 0;
  for (let row = 0; row < rows; row++) {
    const offset = row * numClasses;
    for (let k = 0; k < numClasses; k++) {
      if (!Number.isFinite(logits[offset + k]) || !Number.isFinite(targets[offset + k])) {
        throw new RangeError(
          `Row ${row}, class ${k} has logit ${logits[offset + k]} and target ${targets[offset + k]}. ` +
            "Both must be finite.",
        );
      }
    }
    const normalizer = logSumExp(logits, offset, numClasses);
    for (let k = 0; k < numClasses; k++) {
      total -= targets[offset + k] * (logits[offset + k] - normalizer);
    }
  }
  return total / rows;
}
