/**
 * Evaluation of a model on a split, in inference mode and without augmentation.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageSplit } from "../datasets/types.ts";
import { type ClassificationSummary, summarizeClassification } from "../metrics/classification.ts";
import { copyImage } from "./augment.ts";
import { type ChannelStatistics, normalizePixels } from "./normalize.ts";
import type { ResNet18 } from "./resnet.ts";
import { predictProbabilities } from "./train_step.ts";

/**
 * Evaluates the model on a split without augmentation.
 *
 * @returns The metrics of {@linkcode summarizeClassification} over the whole split:
 *   top-1 and top-5 accuracy, NLL, Brier score, ECE and MCE with the reliability bins.
 */
export async function evaluateModel(
  model: ResNet18,
  split: ImageSplit,
  statistics: ChannelStatistics,
  batchSize: number,
): Promise<ClassificationSummary> {
  const numClasses = model.options.numClasses;
  const pixelsPerImage = split.height * split.width * 3;
  const probabilities = new Float32Array(split.count * numClasses);
  for (let start = 0; start < split.count; start += batchSize) {
    const size = Math.min(batchSize, split.count - start);
    const pixels = new Float32Array(size * pixelsPerImage);
    for (let i = 0; i < size; i++) {
      copyImage(split.images, start + i, pixelsPerImage, pixels, i * pixelsPerImage);
    }
    const images = tf.tensor4d(normalizePixels(pixels, statistics), [size, split.height, split.width, 3]);
    probabilities.set(await predictProbabilities(model, images), start * numClasses);
    images.dispose();
  }
  const firstNaN = probabilities.findIndex((value) => !Number.isFinite(value));
  if (firstNaN >= 0) {
    throw new Error(
      `Validation outputs are not finite (image ${Math.floor(firstNaN / numClasses)} of ${split.count}), ` +
        "so the model diverged. Lower --lr or lengthen --warmup-epochs.",
    );
  }
  return summarizeClassification(probabilities, split.labels, numClasses);
}
