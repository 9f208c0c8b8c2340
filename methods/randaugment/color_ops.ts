/**
 * The photometric RandAugment operations on one float image, in place.
 *
 * Every function takes one image as row-major HWC RGB values in [0, 1]
 * (length height * width * 3) and keeps the values in [0, 1]. The blends follow
 * torchvision's `adjust_*` functions: result = clamp(factor * image + (1 - factor)
 * * degenerate, 0, 1), so factor 1 leaves the image unchanged. Posterize and
 * equalize work on the 8-bit values round(255 v).
 *
 * @module
 */

/** Weights of R, G and B in the grayscale value, as torchvision's `rgb_to_grayscale` uses. */
const GRAY_WEIGHTS = [0.2989, 0.587, 0.114] as const;

/** Returns the 8-bit value round(255 v), clamped to [0, 255]. */
export function toByte(value: number): number {
  return Math.min(255, Math.max(0, Math.round(value * 255)));
}

function clampUnit(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function grayscale(image: Float32Array, pixel: number): number {
  const offset = pixel * 3;
  return GRAY_WEIGHTS[0] * image[offset] + GRAY_WEIGHTS[1] * image[offset + 1] +
    GRAY_WEIGHTS[2] * image[offset + 2];
}

/** Sets image = clamp(factor * image + (1 - factor) * degenerate(index), 0, 1) for every value. */
function blend(image: Float32Array, factor: number, degenerate: (index: number) => number): void {
  for (let i = 0; i < image.length; i++) {
    image[i] = clampUnit(factor * image[i] + (1 - factor) * degenerate(i));
  }
}

/** Scales every value by `factor` >= 0 (blend with black), clamping to [0, 1]. */
export function adjustBrightness(image: Float32Array, factor: number): void {
  blend(image, factor, () => 0);
}

/** Blends each pixel with its own grayscale value: factor 0 gives grayscale, factor > 1 saturates. */
export function adjustColor(image: Float32Array, factor: number): void {
  const gray = new Float32Array(image.length / 3).map((_, pixel) => grayscale(image, pixel));
  blend(image, factor, (index) => gray[Math.floor(index / 3)]);
}

/** Blends the image with the mean grayscale value of the whole image: factor 0 gives a flat gray image. */
export function adjustContrast(image: Float32Array, factor: number): void {
  const pixels = image.length / 3;
  let sum = 0;
  for (let pixel = 0; pixel < pixels; pixel++) sum += grayscale(image, pixel);
  const mean = sum / pixels;
  blend(image, factor, () => mean);
}

/**
 * Blends the image with a smoothed copy: factor 0 gives the smoothed image,
 * factor > 1 sharpens. The smoothed copy is the 3x3 filter [[1, 1, 1], [1, 5, 1],
 * [1, 1, 1]] / 13 on interior pixels, and the unchanged pixel on the border,
 * where the filter would leave the image.
 */
export function adjustSharpness(image: Float32Array, height: number, width: number, factor: number): void {
  const smoothed = image.slice();
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 4 * image[(y * width + x) * 3 + c];
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) sum += image[((y + dy) * width + x + dx) * 3 + c];
        }
        smoothed[(y * width + x) * 3 + c] = sum / 13;
      }
    }
  }
  blend(image, factor, (index) => smoothed[index]);
}

/** Replaces every value v >= threshold by 1 - v, as torchvision's `solarize` does. */
export function solarize(image: Float32Array, threshold: number): void {
  for (let i = 0; i < image.length; i++) {
    if (image[i] >= threshold) image[i] = 1 - image[i];
  }
}

/** Keeps the `bits` (1 to 8) highest bits of each 8-bit value round(255 v), and zeroes the others. */
export function posterize(image: Float32Array, bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) {
    throw new RangeError(`posterize needs an integer bit count in [1, 8], got ${bits}.`);
  }
  const mask = (0xff << (8 - bits)) & 0xff;
  for (let i = 0; i < image.length; i++) image[i] = (toByte(image[i]) & mask) / 255;
}

/** Stretches each channel linearly so its minimum becomes 0 and its maximum 1; a constant channel is kept. */
export function autoContrast(image: Float32Array): void {
  for (let c = 0; c < 3; c++) {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (let i = c; i < image.length; i += 3) {
      low = Math.min(low, image[i]);
      high = Math.max(high, image[i]);
    }
    if (!(high > low)) continue;
    const scale = 1 / (high - low);
    for (let i = c; i < image.length; i += 3) image[i] = clampUnit((image[i] - low) * scale);
  }
}

/**
 * Equalizes the histogram of each channel's 8-bit values, with the lookup
 * table of PIL's `ImageOps.equalize` and torchvision's `equalize`: step =
 * floor((pixels - count of the highest occupied value) / 255), and value v maps
 * to min(255, floor((pixels below v + floor(step / 2)) / step)). A channel
 * with step 0 (fewer than 255 pixels outside its highest value) is kept.
 */
export function equalize(image: Float32Array): void {
  const pixels = image.length / 3;
  for (let c = 0; c < 3; c++) {
    const histogram = new Int32Array(256);
    for (let i = c; i < image.length; i += 3) histogram[toByte(image[i])]++;
    let highest = 255;
    while (histogram[highest] === 0) highest--;
    const step = Math.floor((pixels - histogram[highest]) / 255);
    if (step === 0) continue;
    const lookup = new Float32Array(256);
    let below = 0;
    for (let value = 0; value < 256; value++) {
      lookup[value] = Math.min(255, Math.floor((below + Math.floor(step / 2)) / step)) / 255;
      below += histogram[value];
    }
    for (let i = c; i < image.length; i += 3) image[i] = lookup[toByte(image[i])];
  }
}
