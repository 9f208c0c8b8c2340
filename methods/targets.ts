/**
 * Soft targets from per-image smoothing amounts.
 *
 * @module
 */
import type { SmoothingConvention } from "./options.ts";

/**
 * Builds label-smoothed targets.
 *
 * With convention `k-1` the true class gets 1 - epsilon and every other class
 * epsilon / (K - 1). With `k` every class gets epsilon / K and the true class
 * 1 - epsilon on top, so its total is 1 - epsilon + epsilon / K; this is the
 * convention of `torch.nn.CrossEntropyLoss(label_smoothing=epsilon)`.
 *
 * @param labels Class index per image, [N].
 * @param epsilon Smoothing per image in [0, 1), [N]; `null` gives one-hot targets.
 * @param numClasses K, at least 2.
 * @returns Row-major [N, K] targets; each row sums to 1.
 */
export function smoothedTargets(
  labels: Int32Array,
  epsilon: Float32Array | null,
  numClasses: number,
  convention: SmoothingConvention,
): Float32Array {
  const targets = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!(label >= 0 && label < numClasses)) {
      throw new Error(`Label ${label} of image ${i} is outside [0, ${numClasses}).`);
    }
    const amount = epsilon === null ? 0 : epsilon[i];
    const row = i * numClasses;
    if (convention === "k-1") {
      targets.fill(amount / (numClasses - 1), row, row + numClasses);
      targets[row + label] = 1 - amount;
    } else {
      targets.fill(amount / numClasses, row, row + numClasses);
      targets[row + label] += 1 - amount;
    }
  }
  return targets;
}

/** Returns epsilon = min(maxEpsilon, 1 - confidence), with confidence clamped to [0, 1]. */
export function epsilonFromConfidence(confidence: number, maxEpsilon: number): number {
  const clamped = Math.min(1, Math.max(0, Number.isNaN(confidence) ? 0 : confidence));
  return Math.min(maxEpsilon, 1 - clamped);
}
