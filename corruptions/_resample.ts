/**
 * Resampling on interleaved float planes of shape [height, width, channels]: bilinear
 * sampling, the centered zoom of the CIFAR-10-C generator and Pillow's BOX resize.
 *
 * @module
 */

import { type Border, borderIndex } from "./_filters.ts";

/** Rounds to the nearest integer with ties to even, as Python's `round`. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Writes the bilinear interpolation of `plane` at the real position (`y`, `x`) into
 * `target` at `targetOffset`, one value per channel. The four neighbours outside the
 * plane are mapped back by the border rule.
 */
export function sampleBilinear(
  plane: Float64Array,
  height: number,
  width: number,
  channels: number,
  y: number,
  x: number,
  border: Border,
  target: Float64Array | Float32Array,
  targetOffset: number,
): void {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const top = borderIndex(y0, height, border) * width;
  const bottom = borderIndex(y0 + 1, height, border) * width;
  const left = borderIndex(x0, width, border);
  const right = borderIndex(x0 + 1, width, border);
  const topLeft = (top + left) * channels;
  const topRight = (top + right) * channels;
  const bottomLeft = (bottom + left) * channels;
  const bottomRight = (bottom + right) * channels;
  for (let c = 0; c < channels; c++) {
    const upper = plane[topLeft + c] * (1 - fx) + plane[topRight + c] * fx;
    const lower = plane[bottomLeft + c] * (1 - fx) + plane[bottomRight + c] * fx;
    target[targetOffset + c] = upper * (1 - fy) + lower * fy;
  }
}

/** Source position of each output index of a centered zoom along one axis of `side` pixels. */
function zoomAxisCoordinates(side: number, factor: number): Float64Array {
  const cropSide = Math.ceil(side / factor);
  const cropStart = Math.floor((side - cropSide) / 2);
  const zoomedSide = roundHalfEven(cropSide * factor);
  const trim = Math.floor((zoomedSide - side) / 2);
  const step = zoomedSide > 1 ? (cropSide - 1) / (zoomedSide - 1) : 0;
  const coordinates = new Float64Array(side);
  for (let i = 0; i < side; i++) coordinates[i] = cropStart + (i + trim) * step;
  return coordinates;
}

/**
 * Zooms into the center of the plane by `factor` and keeps the original size, as
 * `clipped_zoom` of the CIFAR-10-C generator (hendrycks/robustness, make_cifar_c.py):
 * it crops the central ceil(side / factor) pixels of each axis, resizes them with
 * scipy.ndimage.zoom(order=1) to round(crop * factor) pixels (corner-aligned linear
 * interpolation) and trims the result back to the center `side` pixels.
 *
 * @param factor Zoom factor >= 1; 1 returns a copy.
 */
export function clippedZoom(
  plane: Float64Array,
  height: number,
  width: number,
  channels: number,
  factor: number,
): Float64Array {
  if (!(factor >= 1 && Number.isFinite(factor))) {
    throw new RangeError(`clippedZoom: factor must be a finite number >= 1, got ${factor}`);
  }
  const rows = zoomAxisCoordinates(height, factor);
  const columns = zoomAxisCoordinates(width, factor);
  const output = new Float64Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      sampleBilinear(
        plane,
        height,
        width,
        channels,
        rows[y],
        columns[x],
        "nearest",
        output,
        (y * width + x) * channels,
      );
    }
  }
  return output;
}

/**
 * Computes the input index range and weights of each output index of Pillow's BOX
 * resize along one axis (libImaging/Resample.c, precompute_coeffs). The box filter is
 * 1 on (-0.5, 0.5], so an output pixel averages, with equal weights, the input pixels
 * whose centers lie in (center - support, center + support]. Here center is
 * (i + 0.5) * in / out and support is 0.5 * max(in / out, 1).
 */
function boxAxisWeights(inSize: number, outSize: number): { start: Int32Array; weights: Float64Array[] } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 0.5 * filterScale;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const first = Math.max(0, Math.trunc(center - support + 0.5));
    const end = Math.min(inSize, Math.trunc(center + support + 0.5));
    const row = new Float64Array(Math.max(0, end - first));
    let total = 0;
    for (let j = 0; j < row.length; j++) {
      const offset = (j + first - center + 0.5) / filterScale;
      row[j] = offset > -0.5 && offset <= 0.5 ? 1 : 0;
      total += row[j];
    }
    if (total > 0) { for (let j = 0; j < row.length; j++) row[j] /= total; }
    start[i] = first;
    weights.push(row);
  }
  return { start, weights };
}

/**
 * Resizes each channel with Pillow's BOX filter, horizontally and then vertically.
 *
 * NOTE: Pillow rounds to 8 bits after each pass. This version keeps floats, so values
 * can differ from Pillow's by up to about 1/255.
 *
 * @returns A plane of shape [outHeight, outWidth, channels].
 */
export function boxResize(
  plane: Float64Array,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Float64Array {
  const horizontal = boxAxisWeights(width, outWidth);
  const vertical = boxAxisWeights(height, outHeight);
  const rowsDone = new Float64Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const weights = horizontal.weights[x];
      for (let j = 0; j < weights.length; j++) {
        const source = (y * width + horizontal.start[x] + j) * channels;
        const target = (y * outWidth + x) * channels;
        for (let c = 0; c < channels; c++) rowsDone[target + c] += weights[j] * plane[source + c];
      }
    }
  }
  const output = new Float64Array(outHeight * outWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    const weights = vertical.weights[y];
    for (let j = 0; j < weights.length; j++) {
      const sourceRow = (vertical.start[y] + j) * outWidth * channels;
      const targetRow = y * outWidth * channels;
      for (let i = 0; i < outWidth * channels; i++) {
        output[targetRow + i] += weights[j] * rowsDone[sourceRow + i];
      }
    }
  }
  return output;
}
