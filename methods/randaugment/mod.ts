/**
 * `randaugment`: RandAugment (Cubuk et al., 2020) after the standard crop and
 * flip, with one-hot targets. Each image gets N operations drawn uniformly,
 * with replacement, from the 14 of {@linkcode RANDAUGMENT_OPERATIONS}, all at
 * the same magnitude index M; signed operations get a random sign.
 *
 * @module
 */
import type { Random } from "../../engine/random.ts";
import type { MethodOptions } from "../options.ts";
import { smoothedTargets } from "../targets.ts";
import type { AppliedOperation, ImageBatch, TrainingMethod } from "../types.ts";
import { RANDAUGMENT_OPERATIONS, type RandAugmentOperation } from "./operations.ts";

export { RANDAUGMENT_OPERATIONS } from "./operations.ts";

const OPERATIONS_BY_NAME = new Map<string, RandAugmentOperation>(
  RANDAUGMENT_OPERATIONS.map((operation) => [operation.name, operation]),
);

/**
 * Draws the operations of every image of a batch: for each image `numOps`
 * operation indices, and for each signed operation a sign.
 *
 * @param magnitude Magnitude index M in [0, 30].
 * @returns Per image, the operations in the order they will be applied, with signed values.
 */
export function sampleRandAugment(
  batch: ImageBatch,
  numOps: number,
  magnitude: number,
  random: Random,
): AppliedOperation[][] {
  const operations: AppliedOperation[][] = [];
  for (let i = 0; i < batch.size; i++) {
    const steps: AppliedOperation[] = [];
    for (let step = 0; step < numOps; step++) {
      const operation = RANDAUGMENT_OPERATIONS[random.integer(RANDAUGMENT_OPERATIONS.length)];
      const negative = operation.signed && random.uniform() < 0.5;
      const value = operation.value(magnitude, batch.height, batch.width);
      // `0 * -1` would give -0, which JSON stores as 0 anyway; keep the log readable.
      steps.push({ name: operation.name, value: negative && value !== 0 ? -value : value });
    }
    operations.push(steps);
  }
  return operations;
}

/**
 * Applies sampled operations to the batch's pixels in place.
 *
 * @param operations Per image, as {@linkcode sampleRandAugment} returns them; [size] lists.
 * @throws {Error} when the list count differs from the batch size or an operation name is unknown.
 */
export function applyRandAugment(batch: ImageBatch, operations: AppliedOperation[][]): void {
  if (operations.length !== batch.size) {
    throw new Error(`RandAugment got operations for ${operations.length} images, expected ${batch.size}.`);
  }
  const pixelsPerImage = batch.height * batch.width * 3;
  operations.forEach((steps, i) => {
    const image = batch.pixels.subarray(i * pixelsPerImage, (i + 1) * pixelsPerImage);
    for (const step of steps) {
      const operation = OPERATIONS_BY_NAME.get(step.name);
      if (operation === undefined) {
        throw new Error(
          `Unknown RandAugment operation "${step.name}"; valid ones: ${
            [...OPERATIONS_BY_NAME.keys()].join(", ")
          }.`,
        );
      }
      operation.apply(image, batch.height, batch.width, step.value);
    }
  });
}

/**
 * Creates the `randaugment` method with `options.randAugmentNumOps` operations
 * per image at magnitude `options.randAugmentMagnitude`. It records the
 * operations and their signed values in `operations`.
 */
export function createRandAugmentMethod(options: MethodOptions): TrainingMethod {
  return {
    name: "randaugment",
    augment(batch, random) {
      const operations = sampleRandAugment(
        batch,
        options.randAugmentNumOps,
        options.randAugmentMagnitude,
        random,
      );
      applyRandAugment(batch, operations);
      return { operations };
    },
    targets: (batch) => smoothedTargets(batch.labels, null, batch.numClasses, "k-1"),
  };
}
