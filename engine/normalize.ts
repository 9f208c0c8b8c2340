/**
 * Per-channel input normalization, with statistics measured on the training split.
 *
 * @module
 */
import type { TrainSplit } from "../datasets/types.ts";
import { forEachImageChunk } from "../pipeline/image_store.ts";

/** Per-channel mean and standard deviation of pixel values in [0, 1]. */
export interface ChannelStatistics {
  mean: [number, number, number];
  std: [number, number, number];
}

/**
 * Measures the per-channel mean and standard deviation of a split's pixels,
 * scaled to [0, 1]. A streamed split is read from its file in chunks.
 */
export function measureChannelStatistics(split: TrainSplit): ChannelStatistics {
  const known = measuredStatistics.get(split);
  if (known !== undefined) return known;
  const sums = [0, 0, 0];
  const squares = [0, 0, 0];
  forEachImageChunk(split, (images) => {
    for (let i = 0; i < images.length; i += 3) {
      for (let c = 0; c < 3; c++) {
        const value = images[i + c] / 255;
        sums[c] += value;
        squares[c] += value * value;
      }
    }
  });
  const count = split.count * split.height * split.width;
  const mean = sums.map((sum) => sum / count) as [number, number, number];
  // A constant channel would divide by zero; 1 leaves it centred but unscaled.
  const std = squares.map((square, c) => Math.sqrt(Math.max(0, square / count - mean[c] ** 2)) || 1) as [
    number,
    number,
    number,
  ];
  const statistics = { mean, std };
  measuredStatistics.set(split, statistics);
  return statistics;
}

/** Statistics already measured per split object, because a streamed split is read from disk to measure them. */
const measuredStatistics = new WeakMap<TrainSplit, ChannelStatistics>();

/** Normalizes HWC pixels in [0, 1] in place: (value - mean) / std per channel. */
export function normalizePixels(pixels: Float32Array, statistics: ChannelStatistics): Float32Array {
  const { mean, std } = statistics;
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = (pixels[i] - mean[0]) / std[0];
    pixels[i + 1] = (pixels[i + 1] - mean[1]) / std[1];
    pixels[i + 2] = (pixels[i + 2] - mean[2]) / std[2];
  }
  return pixels;
}
