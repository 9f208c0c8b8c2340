/**
 * The distortion stage shared by `distort_hard` and `mi_adaptive`: per image,
 * with a given probability, a distortion drawn uniformly from the selected
 * ones at a level d ~ U(0, 1), and optionally the NMI between the clean and
 * the distorted image.
 *
 * @module
 */
import { applyDistortion, type DistortionName, sampleDistortion } from "../distortions/mod.ts";
import type { Random } from "../engine/random.ts";
import { measureConfidence } from "../confidence/mod.ts";
import type { MethodOptions } from "./options.ts";
import type { BatchRecord, ImageBatch } from "./types.ts";

interface SampledDistortion {
  name: DistortionName;
  level: number;
}

/**
 * Distorts the batch's images in place.
 *
 * All parameters (whether to distort, which distortion, which level) are drawn
 * for the whole batch first; the distortions, which may draw noise, run after.
 *
 * @param measure Computes the confidence of each image against its clean copy,
 *   with `options.confidence`, when true; undistorted images get a confidence of 1.
 */
export function distortBatch(
  batch: ImageBatch,
  random: Random,
  options: MethodOptions,
  measure: boolean,
): BatchRecord {
  const samples: (SampledDistortion | null)[] = [];
  for (let i = 0; i < batch.size; i++) {
    const distort = random.uniform() < options.distortionProbability;
    samples.push(distort ? sampleDistortion(random, options.distortions) : null);
  }
  const pixelsPerImage = batch.height * batch.width * 3;
  const levels = new Float32Array(batch.size);
  const confidence = measure ? new Float32Array(batch.size).fill(1) : undefined;
  samples.forEach((sample, i) => {
    if (sample === null) return;
    const offset = i * pixelsPerImage;
    const clean = batch.pixels.subarray(offset, offset + pixelsPerImage);
    const distorted = applyDistortion(sample.name, clean, batch.height, batch.width, sample.level, random, {
      sigmaScale: options.blurSigmaScale,
    });
    if (confidence !== undefined) {
      confidence[i] = measureConfidence(
        options.confidence,
        clean,
        distorted,
        batch.height,
        batch.width,
        options.nmiBins,
      );
    }
    levels[i] = sample.level;
    batch.pixels.set(distorted, offset);
  });
  const nmi = options.confidence === "nmi" ? confidence : undefined;
  return { distortions: samples.map((sample) => sample?.name ?? null), levels, nmi, confidence };
}
