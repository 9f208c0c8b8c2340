/**
 * Peak signal-to-noise ratio for images with values in [0, 1].
 *
 * @module
 */

/**
 * Computes PSNR = 10 log10(1 / MSE) in decibels, with the peak value 1 and both
 * images clamped to [0, 1] first (NaN counts as 0).
 *
 * @param clean Pixels, any layout, values in [0, 1].
 * @param degraded Pixels of the same length.
 * @returns PSNR in dB; Infinity for identical images.
 * @throws {RangeError} when the lengths differ or are 0.
 *
 * @example
 * ```ts
 * peakSignalToNoiseRatio(Float32Array.of(0.5), Float32Array.of(0.6)); // 20 dB (MSE 0.01)
 * ```
 */
export function peakSignalToNoiseRatio(clean: Float32Array, degraded: Float32Array): number {
  if (clean.length !== degraded.length || clean.length === 0) {
    throw new RangeError(
      `peakSignalToNoiseRatio: expected two non-empty images of one length, got ${clean.length} and ${degraded.length}`,
    );
  }
  const clamp = (value: number) => value > 0 ? Math.min(1, value) : 0;
  let squares = 0;
  for (let i = 0; i < clean.length; i++) squares += (clamp(clean[i]) - clamp(degraded[i])) ** 2;
  const meanSquaredError = squares / clean.length;
  return meanSquaredError === 0 ? Infinity : 10 * Math.log10(1 / meanSquaredError);
}
