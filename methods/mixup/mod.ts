/**
 * `mixup` (Zhang et al., 2018): each batch draws lambda ~ Beta(alpha, alpha),
 * and every image and its one-hot target become lambda times themselves plus
 * 1 - lambda times those of a partner from a shuffled copy of the batch.
 *
 * @module
 */
import { mixingTargetStages, samplePermutation } from "../mixing.ts";
import type { MethodOptions } from "../options.ts";
import type { TrainingMethod } from "../types.ts";

/**
 * Mixes images in place: image i becomes lambda * image i + (1 - lambda) *
 * image permutation[i], both read before mixing.
 *
 * @param pixels [N, H, W, 3] values in [0, 1]; they stay in [0, 1].
 * @param pixelsPerImage H * W * 3.
 * @param lambda Weight of each image's own pixels, in [0, 1].
 * @param permutation Partner per image, [N].
 */
export function mixupPixels(
  pixels: Float32Array,
  pixelsPerImage: number,
  lambda: number,
  permutation: Int32Array,
): void {
  const source = pixels.slice();
  permutation.forEach((partner, i) => {
    const own = i * pixelsPerImage;
    const other = partner * pixelsPerImage;
    for (let p = 0; p < pixelsPerImage; p++) {
      pixels[own + p] = lambda * source[own + p] + (1 - lambda) * source[other + p];
    }
  });
}

/**
 * Creates the `mixup` method with lambda ~ Beta(`options.mixupAlpha`,
 * `options.mixupAlpha`). It draws lambda first, then the permutation, and
 * records both; `lambda` contains the batch's value once per image.
 */
export function createMixupMethod(options: MethodOptions): TrainingMethod {
  return {
    name: "mixup",
    augment(batch, random) {
      // Rounded to float32 once, so that the pixels and the targets use the same weight.
      const lambda = Math.fround(random.beta(options.mixupAlpha, options.mixupAlpha));
      const permutation = samplePermutation(batch.size, random);
      mixupPixels(batch.pixels, batch.height * batch.width * 3, lambda, permutation);
      return { lambda: new Float32Array(batch.size).fill(lambda), permutation };
    },
    ...mixingTargetStages("mixup"),
  };
}
