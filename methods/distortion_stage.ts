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
import { normalizedMutualInformation } from "../nmi/nmi.ts";
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
 * @param measureNmi Computes the NMI of each image against its clean copy when
 *   true; undistorted images get an NMI of 1.
 */
export function distortBatch(
  batch: ImageBatch,
  random: Random,
  options: MethodOptions,
  measureNmi: boolean,
): BatchRecord {
  const samples: (SampledDistortion | null)[] = [];
  for (let i = 0; i < batch.size; i++) {
    const distort = random.uniform() < options.distortionProbability;
    samples.push(distort ? sampleDistortion(random, options.distortions) : null);
  }
  const pixelsPerImage = batch.height * batch.width * 3;
  const levels = new Float32Array(batch.size);
  const nmi = measureNmi ? new Float32Array(batch.size).fill(1) : undefined;
  samples.forEach((sample, i) => {
    if (sample === null) return;
    const offset = i * pixelsPerImage;
    const clean = batch.pixels.subarray(offset, offset + pixelsPerImage);
    const distorted = applyDistortion(sample.name, clean, batch.height, batch.width, sample.level, random, {
      sigmaScale: options.blurSigmaScale,
    });
    if (nmi !== undefined) {
      nmi[i] = normalizedMutualInformation(clean, distorted, { bins: options.nmiBins });
    }
    levels[i] = sample.level;
    batch.pixels.set(distorted, offset);
  });
  return { distortions: samples.map((sample) => sample?.name ?? null), levels, nmi };
}
