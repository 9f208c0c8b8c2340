/**
 * `cutmix` (Yun et al., 2019): each batch draws lambda ~ Beta(alpha, alpha)
 * and one box of about (1 - lambda) of the image area. Every image gets the
 * box's pixels from a partner in a shuffled copy of the batch. Because the box
 * may be clipped at the image border, lambda is then recomputed as 1 - (pasted
 * area) / (image area), so the targets match the pixels.
 *
 * @module
 */
import { mixingTargetStages, samplePermutation } from "../mixing.ts";
import type { MethodOptions } from "../options.ts";
import type { PixelBox, TrainingMethod } from "../types.ts";

/**
 * Places the CutMix box: half-sides floor(sqrt(1 - lambda) * side / 2) around
 * the centre, clipped to the image.
 *
 * @param lambda Drawn lambda in [0, 1]; 1 gives an empty box.
 * @param centerY Centre row in [0, height).
 * @param centerX Centre column in [0, width).
 */
export function cutmixBox(
  height: number,
  width: number,
  lambda: number,
  centerY: number,
  centerX: number,
): PixelBox {
  const ratio = Math.sqrt(1 - lambda);
  const halfHeight = Math.floor((ratio * height) / 2);
  const halfWidth = Math.floor((ratio * width) / 2);
  return {
    top: Math.max(0, centerY - halfHeight),
    bottom: Math.min(height, centerY + halfHeight),
    left: Math.max(0, centerX - halfWidth),
    right: Math.min(width, centerX + halfWidth),
  };
}

/** Returns the number of pixels in a box. */
export function boxArea(box: PixelBox): number {
  return Math.max(0, box.bottom - box.top) * Math.max(0, box.right - box.left);
}

/**
 * Pastes the box in place: inside it, image i gets the pixels of image
 * permutation[i], read before pasting.
 *
 * @param pixels [N, height, width, 3] values.
 * @param permutation Partner per image, [N].
 */
export function pasteBox(
  pixels: Float32Array,
  height: number,
  width: number,
  box: PixelBox,
  permutation: Int32Array,
): void {
  const source = pixels.slice();
  const pixelsPerImage = height * width * 3;
  const rowStart = box.left * 3;
  const rowEnd = box.right * 3;
  permutation.forEach((partner, i) => {
    for (let y = box.top; y < box.bottom; y++) {
      const row = y * width * 3;
      const from = source.subarray(
        partner * pixelsPerImage + row + rowStart,
        partner * pixelsPerImage + row + rowEnd,
      );
      pixels.set(from, i * pixelsPerImage + row + rowStart);
    }
  });
}

/**
 * Creates the `cutmix` method with lambda ~ Beta(`options.cutmixAlpha`,
 * `options.cutmixAlpha`). It draws lambda, the box centre (row, then column,
 * each uniform over the image) and the permutation, then pastes. It records
 * the drawn lambda, the clipped box, the permutation, and in `lambda` the
 * recomputed 1 - area / (height * width) once per image.
 */
export function createCutmixMethod(options: MethodOptions): TrainingMethod {
  return {
    name: "cutmix",
    augment(batch, random) {
      const sampledLambda = random.beta(options.cutmixAlpha, options.cutmixAlpha);
      const centerY = random.integer(batch.height);
      const centerX = random.integer(batch.width);
      const permutation = samplePermutation(batch.size, random);
      const box = cutmixBox(batch.height, batch.width, sampledLambda, centerY, centerX);
      pasteBox(batch.pixels, batch.height, batch.width, box, permutation);
      const lambda = 1 - boxArea(box) / (batch.height * batch.width);
      return { lambda: new Float32Array(batch.size).fill(lambda), permutation, sampledLambda, box };
    },
    ...mixingTargetStages("cutmix"),
  };
}
