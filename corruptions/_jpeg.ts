/**
 * Baseline JPEG round trip (encode and decode without the entropy coding, which is
 * lossless) modelled on libjpeg, the library behind Pillow's `Image.save(format="JPEG")`.
 *
 * The encoder rounds the image to 8-bit RGB, converts it to JFIF YCbCr and replicates
 * edge pixels to fill whole MCUs. With 4:2:0 it averages chroma over 2 x 2 pixels.
 * Each 8 x 8 block then goes through the DCT and is quantized by the ITU-T T.81
 * Annex K tables, scaled by the IJG quality formula. The decoder dequantizes, applies
 * the inverse DCT, upsamples chroma with libjpeg's "fancy" triangle filter and converts
 * back to RGB.
 *
 * NOTE: the DCT here is exact floating point, where libjpeg defaults to a scaled
 * integer DCT, so decoded pixels can differ from libjpeg's by a few 1/255 steps. The
 * sharp comparison in `_jpeg_test.ts` bounds the mean difference by 1/255.
 *
 * @module
 */

import { CHANNELS } from "../distortions/_image.ts";

/** Chroma subsampling: "4:2:0" halves both chroma axes (libjpeg's default for YCbCr), "4:4:4" keeps them. */
export type ChromaSubsampling = "4:2:0" | "4:4:4";

/** Luminance quantization table of ITU-T T.81 Annex K (Table K.1), row-major 8 x 8. */
// deno-fmt-ignore
export const LUMA_QUANTIZATION = Int32Array.of(
  16, 11, 10, 16, 24, 40, 51, 61,
  12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77,
  24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
);

/** Chrominance quantization table of ITU-T T.81 Annex K (Table K.2), row-major 8 x 8. */
// deno-fmt-ignore
export const CHROMA_QUANTIZATION = Int32Array.of(
  17, 18, 24, 47, 99, 99, 99, 99,
  18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
);

/**
 * Scales a base table to a quality as libjpeg's `jpeg_quality_scaling` with
 * `force_baseline`: scale = 5000 / q for q < 50 (integer division) and 200 - 2 q
 * otherwise, entry = floor((base * scale + 50) / 100) clamped to [1, 255].
 *
 * @param quality Integer in [1, 100]. 100 gives an all-ones table.
 */
export function scaleQuantizationTable(base: Int32Array, quality: number): Int32Array {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`scaleQuantizationTable: quality must be an integer in [1, 100], got ${quality}`);
  }
  const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - 2 * quality;
  return base.map((entry) => Math.min(255, Math.max(1, Math.floor((entry * scale + 50) / 100))));
}

/** cos((2 x + 1) u pi / 16) * C(u) / 2 at [u * 8 + x], C(0) = 1 / sqrt(2), C(u > 0) = 1, the orthonormal 8-point DCT-II. */
function dctMatrix(): Float64Array {
  const matrix = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    const norm = u === 0 ? Math.SQRT1_2 / 2 : 0.5;
    for (let x = 0; x < 8; x++) matrix[u * 8 + x] = norm * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
  return matrix;
}

/** Rounds half away from zero, as libjpeg's quantizer. */
function roundHalfAway(value: number): number {
  return value < 0 ? -Math.floor(-value + 0.5) : Math.floor(value + 0.5);
}

/** Clamps to [0, 255] after rounding to the nearest integer. */
function toSample(value: number): number {
  return Math.min(255, Math.max(0, Math.round(value)));
}

/**
 * Quantizes and dequantizes every 8 x 8 block of a plane in place: level shift by 128,
 * forward DCT, q = round(F / Q), F' = q Q, inverse DCT, back to rounded samples in
 * [0, 255].
 *
 * @param plane Samples in [0, 255], shape [height, width], both multiples of 8.
 */
function roundTripBlocks(plane: Float64Array, height: number, width: number, table: Int32Array): void {
  const matrix = dctMatrix();
  const block = new Float64Array(64);
  const temp = new Float64Array(64);
  for (let top = 0; top < height; top += 8) {
    for (let left = 0; left < width; left += 8) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) block[y * 8 + x] = plane[(top + y) * width + left + x] - 128;
      }
      // Forward: temp = M block, block = temp M^T.
      multiply(matrix, block, temp, false);
      multiply(temp, matrix, block, true);
      for (let i = 0; i < 64; i++) block[i] = roundHalfAway(block[i] / table[i]) * table[i];
      // Inverse: temp = M^T block, block = temp M.
      multiplyTransposedLeft(matrix, block, temp);
      multiply(temp, matrix, block, false);
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) plane[(top + y) * width + left + x] = toSample(block[y * 8 + x] + 128);
      }
    }
  }
}

/** target = left * right, or left * right^T when `transposeRight`; all 8 x 8 row-major. */
function multiply(
  left: Float64Array,
  right: Float64Array,
  target: Float64Array,
  transposeRight: boolean,
): void {
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      let sum = 0;
      for (let k = 0; k < 8; k++) {
        sum += left[i * 8 + k] * (transposeRight ? right[j * 8 + k] : right[k * 8 + j]);
      }
      target[i * 8 + j] = sum;
    }
  }
}

/** target = left^T * right; all 8 x 8 row-major. */
function multiplyTransposedLeft(left: Float64Array, right: Float64Array, target: Float64Array): void {
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      let sum = 0;
      for (let k = 0; k < 8; k++) sum += left[k * 8 + i] * right[k * 8 + j];
      target[i * 8 + j] = sum;
    }
  }
}

/** Splits an RGB image into rounded 8-bit Y, Cb, Cr planes padded by edge replication to [paddedHeight, paddedWidth]. */
function toYCbCrPlanes(
  image: Float32Array,
  height: number,
  width: number,
  paddedHeight: number,
  paddedWidth: number,
): Float64Array[] {
  const planes = [0, 1, 2].map(() => new Float64Array(paddedHeight * paddedWidth));
  const [luminance, blueDifference, redDifference] = planes;
  const toByte = (value: number) => toSample(Math.min(1, Math.max(0, value)) * 255);
  for (let y = 0; y < paddedHeight; y++) {
    for (let x = 0; x < paddedWidth; x++) {
      const source = (Math.min(y, height - 1) * width + Math.min(x, width - 1)) * CHANNELS;
      const red = toByte(image[source]);
      const green = toByte(image[source + 1]);
      const blue = toByte(image[source + 2]);
      const target = y * paddedWidth + x;
      luminance[target] = toSample(0.299 * red + 0.587 * green + 0.114 * blue);
      blueDifference[target] = toSample(-0.168736 * red - 0.331264 * green + 0.5 * blue + 128);
      redDifference[target] = toSample(0.5 * red - 0.418688 * green - 0.081312 * blue + 128);
    }
  }
  return planes;
}

/**
 * Averages 2 x 2 blocks as libjpeg's `h2v2_downsample`: (sum + bias) >> 2 with bias 1
 * on even and 2 on odd output columns, so rounding alternates.
 */
function downsample(plane: Float64Array, height: number, width: number): Float64Array {
  const outWidth = width / 2;
  const output = new Float64Array((height / 2) * outWidth);
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < outWidth; x++) {
      const top = 2 * y * width + 2 * x;
      const sum = plane[top] + plane[top + 1] + plane[top + width] + plane[top + width + 1];
      output[y * outWidth + x] = Math.floor((sum + (x % 2 === 0 ? 1 : 2)) / 4);
    }
  }
  return output;
}

/**
 * Upsamples 2 x 2 as libjpeg's `h2v2_fancy_upsample`, a triangle filter. Each output
 * sample weighs its nearest input sample by 9/16, the two side neighbours toward it by
 * 3/16 and the diagonal one by 1/16. Integer rounding alternates between columns.
 * Rows beyond the `rows` real ones repeat the last, and the first and last output
 * columns take only the vertical filter.
 *
 * @param plane Downsampled plane of row stride `stride`, with `rows` x `columns` real samples.
 * @returns Plane of shape [outHeight, outWidth], outHeight <= 2 rows, outWidth <= 2 columns.
 */
function fancyUpsample(
  plane: Float64Array,
  stride: number,
  rows: number,
  columns: number,
  outHeight: number,
  outWidth: number,
): Float64Array {
  const output = new Float64Array(outHeight * outWidth);
  const columnSums = new Float64Array(columns);
  for (let y = 0; y < outHeight; y++) {
    const near = y >> 1;
    const far = Math.min(rows - 1, Math.max(0, y % 2 === 0 ? near - 1 : near + 1));
    for (let x = 0; x < columns; x++) columnSums[x] = 3 * plane[near * stride + x] + plane[far * stride + x];
    for (let x = 0; x < outWidth; x++) {
      const nearColumn = x >> 1;
      let value: number;
      if (columns === 1) value = Math.floor((4 * columnSums[0] + 8 - (x % 2)) / 16);
      else if (x === 0) value = Math.floor((4 * columnSums[0] + 8) / 16);
      else if (x === 2 * columns - 1) value = Math.floor((4 * columnSums[columns - 1] + 7) / 16);
      else if (x % 2 === 0) {
        value = Math.floor((3 * columnSums[nearColumn] + columnSums[nearColumn - 1] + 8) / 16);
      } else value = Math.floor((3 * columnSums[nearColumn] + columnSums[nearColumn + 1] + 7) / 16);
      output[y * outWidth + x] = value;
    }
  }
  return output;
}

/** Rounds up to a multiple of `step`. */
function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

/**
 * Compresses an image to baseline JPEG at `quality` and decodes it back.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1]; rounded to 8 bits first.
 * @param quality IJG quality, an integer in [1, 100].
 * @param subsampling Chroma subsampling, "4:2:0" by default as libjpeg's default for YCbCr.
 * @returns A new Float32Array of the same shape, multiples of 1/255 in [0, 1].
 */
export function jpegRoundTrip(
  image: Float32Array,
  height: number,
  width: number,
  quality: number,
  subsampling: ChromaSubsampling = "4:2:0",
): Float32Array {
  if (subsampling !== "4:2:0" && subsampling !== "4:4:4") {
    throw new RangeError(
      `jpegRoundTrip: subsampling must be "4:2:0" or "4:4:4", got ${JSON.stringify(subsampling)}`,
    );
  }
  const lumaTable = scaleQuantizationTable(LUMA_QUANTIZATION, quality);
  const chromaTable = scaleQuantizationTable(CHROMA_QUANTIZATION, quality);
  const mcu = subsampling === "4:2:0" ? 16 : 8;
  const paddedHeight = roundUp(height, mcu);
  const paddedWidth = roundUp(width, mcu);
  const [luminance, blueDifference, redDifference] = toYCbCrPlanes(
    image,
    height,
    width,
    paddedHeight,
    paddedWidth,
  );
  roundTripBlocks(luminance, paddedHeight, paddedWidth, lumaTable);

  const chroma = [blueDifference, redDifference].map((plane) => {
    if (subsampling === "4:4:4") {
      roundTripBlocks(plane, paddedHeight, paddedWidth, chromaTable);
      return plane;
    }
    const small = downsample(plane, paddedHeight, paddedWidth);
    roundTripBlocks(small, paddedHeight / 2, paddedWidth / 2, chromaTable);
    return fancyUpsample(small, paddedWidth / 2, Math.ceil(height / 2), Math.ceil(width / 2), height, width);
  });

  const output = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const lumaValue = luminance[y * paddedWidth + x];
      const chromaIndex = subsampling === "4:4:4" ? y * paddedWidth + x : y * width + x;
      const cb = chroma[0][chromaIndex] - 128;
      const cr = chroma[1][chromaIndex] - 128;
      const target = (y * width + x) * CHANNELS;
      output[target] = toSample(lumaValue + 1.402 * cr) / 255;
      output[target + 1] = toSample(lumaValue - 0.344136 * cb - 0.714136 * cr) / 255;
      output[target + 2] = toSample(lumaValue + 1.772 * cb) / 255;
    }
  }
  return output;
}
