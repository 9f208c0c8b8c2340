/**
 * CIFAR-C-style corruption suite: the 15 test corruptions of CIFAR-10-C and its 4
 * held-out validation corruptions, each at severities 1 to 5, on HWC float images.
 *
 * Definitions and severity tables follow `make_cifar_c.py` in hendrycks/robustness,
 * the CIFAR-10-C generator of Hendrycks and Dietterich, "Benchmarking Neural Network
 * Robustness to Common Corruptions and Perturbations" (ICLR 2019), not the harsher
 * ImageNet-C tables. Differences from that generator:
 * - Frost uses a procedural texture in place of the five frost photographs (`_frost.ts`).
 * - Motion blur reimplements ImageMagick's line kernel in place of calling ImageMagick.
 * - JPEG is an own baseline round trip with float DCT (`_jpeg.ts`), not libjpeg.
 * - Outputs are floats in [0, 1]. The reference rounds down to 8 bits at the end and in
 *   a few intermediate steps, which this suite skips (noted at each step).
 * - Lengths in pixels scale with the image, see {@linkcode CorruptImageOptions.pixelScale}.
 *
 * Randomness: every random corruption draws from a generator seeded by
 * {@linkcode corruptionSeed}(seed, index, name, severity), so every method under
 * evaluation gets identical corrupted pixels for the same image.
 *
 * @example
 * ```ts
 * import { corruptImage, TEST_CORRUPTIONS } from "./mod.ts";
 *
 * const image = new Float32Array(32 * 32 * 3).fill(0.5);
 * for (const name of TEST_CORRUPTIONS) {
 *   const corrupted = corruptImage(image, 32, 32, name, 3, { seed: 7, index: 0 });
 * }
 * ```
 *
 * @module
 */

import { Random } from "../engine/random.ts";
import { defocusBlur, gaussianBlur, glassBlur, motionBlur, zoomBlur } from "./blur.ts";
import { contrast, elasticTransform, jpegCompression, pixelate, saturate } from "./digital.ts";
import { gaussianNoise, impulseNoise, shotNoise, speckleNoise } from "./noise.ts";
import { pixelScale, type PixelScaleRule, type Severity, validateInputs } from "./_params.ts";
import { spatter } from "./spatter.ts";
import { brightness, fog, frost, snow } from "./weather.ts";

export { pixelScale, type PixelScaleRule, REFERENCE_SIDE, SEVERITIES, type Severity } from "./_params.ts";

/** The 15 test corruptions of CIFAR-10-C, in the order of the reference generator. */
export const TEST_CORRUPTIONS = [
  "gaussian_noise",
  "shot_noise",
  "impulse_noise",
  "defocus_blur",
  "glass_blur",
  "motion_blur",
  "zoom_blur",
  "snow",
  "frost",
  "fog",
  "brightness",
  "contrast",
  "elastic_transform",
  "pixelate",
  "jpeg_compression",
] as const;

/** The 4 held-out validation corruptions of CIFAR-10-C. */
export const HELD_OUT_CORRUPTIONS = ["speckle_noise", "gaussian_blur", "spatter", "saturate"] as const;

/** Name of one of the 19 corruptions. */
export type CorruptionName = typeof TEST_CORRUPTIONS[number] | typeof HELD_OUT_CORRUPTIONS[number];

/** Split of a corruption: the 15 for testing or the 4 held out for validation. */
export type CorruptionSet = "test" | "held_out";

/** Corruption family, as grouped by Hendrycks and Dietterich. */
export type CorruptionFamily = "noise" | "blur" | "weather" | "digital";

/**
 * One corruption applied to a validated image.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1].
 * @param random Generator for the random corruptions; the deterministic ones draw nothing.
 * @param pixelScale Factor applied to lengths given in pixels of a 32-pixel image.
 * @returns A new Float32Array of the same shape, values in [0, 1].
 */
export type CorruptionFunction = (
  image: Float32Array,
  height: number,
  width: number,
  severity: Severity,
  random: Random,
  pixelScale: number,
) => Float32Array;

/** Registry entry of one corruption. */
export interface CorruptionInfo {
  /** Name as in CIFAR-10-C's file names. */
  name: CorruptionName;
  /** Split the corruption belongs to. */
  set: CorruptionSet;
  /** Family of the corruption. */
  family: CorruptionFamily;
  /** Whether the output depends on the generator (false: same output for every seed and index). */
  random: boolean;
  /** The corruption itself. */
  apply: CorruptionFunction;
}

/** The 19 corruptions: the 15 test ones in reference order, then the 4 held-out ones. */
export const CORRUPTIONS: readonly CorruptionInfo[] = [
  {
    name: "gaussian_noise",
    set: "test",
    family: "noise",
    random: true,
    apply: (x, h, w, s, r) => gaussianNoise(x, h, w, s, r),
  },
  {
    name: "shot_noise",
    set: "test",
    family: "noise",
    random: true,
    apply: (x, h, w, s, r) => shotNoise(x, h, w, s, r),
  },
  {
    name: "impulse_noise",
    set: "test",
    family: "noise",
    random: true,
    apply: (x, h, w, s, r) => impulseNoise(x, h, w, s, r),
  },
  {
    name: "defocus_blur",
    set: "test",
    family: "blur",
    random: false,
    apply: (x, h, w, s, _r, p) => defocusBlur(x, h, w, s, p),
  },
  { name: "glass_blur", set: "test", family: "blur", random: true, apply: glassBlur },
  { name: "motion_blur", set: "test", family: "blur", random: true, apply: motionBlur },
  {
    name: "zoom_blur",
    set: "test",
    family: "blur",
    random: false,
    apply: (x, h, w, s) => zoomBlur(x, h, w, s),
  },
  { name: "snow", set: "test", family: "weather", random: true, apply: snow },
  { name: "frost", set: "test", family: "weather", random: true, apply: frost },
  { name: "fog", set: "test", family: "weather", random: true, apply: (x, h, w, s, r) => fog(x, h, w, s, r) },
  {
    name: "brightness",
    set: "test",
    family: "weather",
    random: false,
    apply: (x, h, w, s) => brightness(x, h, w, s),
  },
  {
    name: "contrast",
    set: "test",
    family: "digital",
    random: false,
    apply: (x, h, w, s) => contrast(x, h, w, s),
  },
  { name: "elastic_transform", set: "test", family: "digital", random: true, apply: elasticTransform },
  {
    name: "pixelate",
    set: "test",
    family: "digital",
    random: false,
    apply: (x, h, w, s) => pixelate(x, h, w, s),
  },
  {
    name: "jpeg_compression",
    set: "test",
    family: "digital",
    random: false,
    apply: (x, h, w, s) => jpegCompression(x, h, w, s),
  },
  {
    name: "speckle_noise",
    set: "held_out",
    family: "noise",
    random: true,
    apply: (x, h, w, s, r) => speckleNoise(x, h, w, s, r),
  },
  {
    name: "gaussian_blur",
    set: "held_out",
    family: "blur",
    random: false,
    apply: (x, h, w, s, _r, p) => gaussianBlur(x, h, w, s, p),
  },
  { name: "spatter", set: "held_out", family: "weather", random: true, apply: spatter },
  {
    name: "saturate",
    set: "held_out",
    family: "digital",
    random: false,
    apply: (x, h, w, s) => saturate(x, h, w, s),
  },
];

/** All 19 names: the test corruptions, then the held-out ones. */
export const CORRUPTION_NAMES: readonly CorruptionName[] = [...TEST_CORRUPTIONS, ...HELD_OUT_CORRUPTIONS];

/** Returns the registry entry of `name`, or throws a RangeError listing the valid names. */
export function corruptionInfo(name: string): CorruptionInfo {
  const info = CORRUPTIONS.find((entry) => entry.name === name);
  if (info === undefined) {
    throw new RangeError(
      `unknown corruption ${JSON.stringify(name)}. Valid names are ${CORRUPTION_NAMES.join(", ")}`,
    );
  }
  return info;
}

/** Folds `word` into `hash` with one 32-bit mixing round of MurmurHash3 (Appleby). */
function mixWord(hash: number, word: number): number {
  let k = Math.imul(word >>> 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let h = (hash ^ k) >>> 0;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

/** Applies the MurmurHash3 finalizer, which spreads every input bit over the whole word. */
function finalizeHash(hash: number, length: number): number {
  let h = (hash ^ length) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Splits a safe integer into its low and high 32-bit words (two's complement for negatives). */
function integerWords(value: number): [number, number] {
  const low = value >>> 0;
  const high = Math.floor(value / 4294967296) >>> 0;
  return [low, high];
}

/**
 * Derives the generator seed of one (image, corruption, severity) as a MurmurHash3-style
 * 32-bit hash of the base seed, the image index, the corruption name and the severity.
 * The same inputs always give the same seed on every platform.
 *
 * @param seed Base seed of the evaluation, a safe integer.
 * @param index Index of the image in its dataset, a non-negative safe integer.
 * @param name A corruption name; any string is hashed, so validate it first.
 * @param severity Severity 1 to 5.
 * @returns An unsigned 32-bit integer.
 */
export function corruptionSeed(seed: number, index: number, name: string, severity: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`corruptionSeed: seed must be a safe integer, got ${seed}`);
  }
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`corruptionSeed: index must be a non-negative safe integer, got ${index}`);
  }
  const words = [...integerWords(seed), ...integerWords(index), severity >>> 0];
  for (let i = 0; i < name.length; i++) words.push(name.charCodeAt(i));
  let hash = 0x9747b28c;
  for (const word of words) hash = mixWord(hash, word);
  return finalizeHash(hash, words.length);
}

/** Options for {@linkcode corruptImage}. */
export interface CorruptImageOptions {
  /** Base seed of the evaluation, a safe integer. Default 0. */
  seed?: number;
  /** Index of the image in its dataset, a non-negative safe integer. Default 0. */
  index?: number;
  /**
   * Rule that maps lengths given in pixels of a 32-pixel image (blur sigmas and radii,
   * shuffle distance, elastic side, spatter sigmas, frost crystal size) to this image.
   * `"side"` (default) multiplies them by max(height, width) / 32. `"absolute"` keeps them.
   * Both are the CIFAR-10-C values on 32 x 32 images.
   */
  pixelScale?: PixelScaleRule;
}

/**
 * Applies one corruption at one severity to one image. Random corruptions draw from
 * `new Random(corruptionSeed(seed, index, corruption, severity))`, so the output depends
 * only on the image, the options and these arguments.
 *
 * @param image Pixels, shape [height, width, 3] (HWC), values in [0, 1]. Not modified.
 * @param height Image height in pixels, a positive integer.
 * @param width Image width in pixels, a positive integer.
 * @param corruption One of {@linkcode CORRUPTION_NAMES}; other names raise a RangeError.
 * @param severity 1 to 5; other values raise a RangeError.
 * @returns A new Float32Array of shape [height, width, 3], values in [0, 1].
 */
export function corruptImage(
  image: Float32Array,
  height: number,
  width: number,
  corruption: CorruptionName,
  severity: Severity,
  options: CorruptImageOptions = {},
): Float32Array {
  const info = corruptionInfo(corruption);
  validateInputs(image, height, width, severity, "corruptImage");
  const scale = pixelScale(height, width, options.pixelScale ?? "side");
  const random = new Random(corruptionSeed(options.seed ?? 0, options.index ?? 0, info.name, severity));
  return info.apply(image, height, width, severity, random, scale);
}
