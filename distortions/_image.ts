/**
 * Input checks and clamping shared by the distortions.
 *
 * @module
 */

/** Channels per pixel in every image the distortions accept (RGB, HWC order). */
export const CHANNELS = 3;

/**
 * Throws a RangeError unless `height` and `width` are positive integers and
 * `image.length` equals `height * width * 3`.
 */
export function validateImage(image: Float32Array, height: number, width: number, caller: string): void {
  if (!Number.isInteger(height) || height < 1 || !Number.isInteger(width) || width < 1) {
    throw new RangeError(
      `${caller}: height and width must be positive integers, got height=${height}, width=${width}`,
    );
  }
  const expected = height * width * CHANNELS;
  if (image.length !== expected) {
    throw new RangeError(
      `${caller}: image length ${image.length} does not match height*width*3 = ` +
        `${height}*${width}*3 = ${expected}. Pass the image's own height and width in HWC order`,
    );
  }
}

/** Throws a RangeError unless `level` is a finite number in [0, 1]. */
export function validateLevel(level: number, caller: string): void {
  if (!(level >= 0 && level <= 1)) {
    throw new RangeError(`${caller}: level must be a number in [0, 1], got ${level}`);
  }
}

/** Clamps `value` to [0, 1]. NaN becomes 0, so a bad input value cannot spread NaN. */
export function clampUnit(value: number): number {
  if (!(value > 0)) return 0;
  return value < 1 ? value : 1;
}
