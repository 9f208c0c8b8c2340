/**
 * Helpers for the corruption tests.
 *
 * @module
 */

/**
 * Returns a synthetic image with the structure of a photograph: a horizontal red ramp,
 * a vertical green wave, a bright blue disk on a darker field and a dark rectangle with
 * sharp edges. Values stay in [0.1, 0.85], so most corruptions change them without
 * clipping.
 *
 * @returns Float32Array of shape [height, width, 3] (HWC).
 */
export function sceneImage(height: number, width: number): Float32Array {
  const image = new Float32Array(height * width * 3);
  const radius = Math.min(height, width) / 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inDisk = (y - height / 2) ** 2 + (x - width / 2) ** 2 <= radius * radius;
      const inRectangle = y >= (3 * height) / 4 && x < width / 3;
      image[i] = 0.15 + (0.7 * x) / Math.max(1, width - 1);
      image[i + 1] = 0.15 + 0.35 * (1 + Math.sin((3 * Math.PI * y) / height));
      image[i + 2] = inDisk ? 0.8 : 0.25 + (0.2 * (x + y)) / (height + width);
      if (inRectangle) image.fill(0.1, i, i + 3);
    }
  }
  return image;
}

/** Returns a smooth image (ramps and a wide sine) without sharp edges, for the JPEG tests. */
export function smoothImage(height: number, width: number): Float32Array {
  const image = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      image[i] = 0.2 + (0.6 * x) / Math.max(1, width - 1);
      image[i + 1] = 0.2 + (0.6 * y) / Math.max(1, height - 1);
      image[i + 2] = 0.5 + 0.3 * Math.sin((2 * Math.PI * (x + y)) / (height + width));
    }
  }
  return image;
}

/** Returns a constant image of shape [height, width, 3] with every channel of every pixel set to the given RGB. */
export function constantImage(
  height: number,
  width: number,
  rgb: readonly [number, number, number],
): Float32Array {
  const image = new Float32Array(height * width * 3);
  for (let i = 0; i < image.length; i++) image[i] = rgb[i % 3];
  return image;
}

/** Returns the mean absolute difference of two arrays of the same length. */
export function meanAbsoluteDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** Returns the mean and the (population) standard deviation of `values`. */
export function meanAndDeviation(values: ArrayLike<number>): { mean: number; deviation: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, deviation: Math.sqrt(squares / values.length) };
}

/** Returns the index of the first value that is not a finite number in [0, 1], or -1 when there is none. */
export function firstValueOutsideUnit(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    if (!(values[i] >= 0 && values[i] <= 1)) return i;
  }
  return -1;
}
