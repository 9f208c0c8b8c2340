/**
 * Corrupted and distorted copies of a validation split, for robustness
 * evaluation, stored in the decoded-image cache so that every method and seed is
 * evaluated on the same 8-bit pixels.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  corruptImage,
  corruptionInfo,
  type CorruptionName,
  SEVERITIES,
  type Severity,
} from "../corruptions/mod.ts";
import { readCachedSplit, writeCachedSplit } from "../datasets/cache.ts";
import { finishSplitDigest, startSplitDigest } from "../datasets/split_digest.ts";
import { type ImageSplit, isStreamed, type TrainSplit } from "../datasets/types.ts";
import { forEachImageChunk } from "../pipeline/image_store.ts";
import { applyDistortion, DISTORTION_NAMES, type DistortionName } from "../distortions/mod.ts";
import { Random } from "./random.ts";

/**
 * Version of the corrupted pixels. Raise it when a corruption or distortion
 * changes its output, so cached copies made by the old code are not reused.
 */
export const CORRUPTED_SPLIT_VERSION = 1;

/** Stream of the generator that draws a distortion's random parameters for image i. */
const DISTORTION_STREAM = 0x5eed_0000;

/** One degraded copy of a split: a corruption at a severity, or a training distortion at a level. */
export type Degradation =
  | { kind: "corruption"; name: CorruptionName; severity: Severity }
  | { kind: "distortion"; name: DistortionName; level: number };

/** Returns a short label such as `gaussian_noise/3` or `blur@0.5`. */
export function describeDegradation(degradation: Degradation): string {
  return degradation.kind === "corruption"
    ? `${degradation.name}/${degradation.severity}`
    : `${degradation.name}@${degradation.level}`;
}

/**
 * Checks a degradation's name and its severity or level.
 *
 * @throws {RangeError} naming the invalid value and the valid ones.
 */
export function validateDegradation(degradation: Degradation): void {
  if (degradation.kind === "corruption") {
    corruptionInfo(degradation.name);
    if (!(SEVERITIES as readonly number[]).includes(degradation.severity)) {
      throw new RangeError(`Invalid severity ${degradation.severity}: use one of ${SEVERITIES.join(", ")}.`);
    }
    return;
  }
  if (!(DISTORTION_NAMES as readonly string[]).includes(degradation.name)) {
    throw new RangeError(
      `Unknown distortion ${JSON.stringify(degradation.name)}. Use one of ${DISTORTION_NAMES.join(", ")}.`,
    );
  }
  if (!(degradation.level >= 0 && degradation.level <= 1)) {
    throw new RangeError(`Invalid distortion level ${degradation.level}: use a number in [0, 1].`);
  }
}

/**
 * Degrades every image of a split and rounds the result to 8 bits, as the
 * CIFAR-10-C files store it.
 *
 * Corruption randomness comes from `corruptionSeed(seed, i, name, severity)`;
 * a distortion's random parameters for image i come from `new Random(seed, stream + i)`.
 * Either way the pixels depend only on the image, its index, the degradation and the seed.
 *
 * @param split Images, shape [count, height, width, 3], values 0..255.
 * @param degradation What to apply.
 * @param seed Base seed of the evaluation.
 * @returns A new split with the same labels and shape.
 */
export function degradeSplit(split: ImageSplit, degradation: Degradation, seed: number): ImageSplit {
  validateDegradation(degradation);
  const { count, height, width } = split;
  const pixelsPerImage = height * width * 3;
  const images = new Uint8Array(split.images.length);
  const image = new Float32Array(pixelsPerImage);
  for (let i = 0; i < count; i++) {
    const offset = i * pixelsPerImage;
    for (let p = 0; p < pixelsPerImage; p++) image[p] = split.images[offset + p] / 255;
    const degraded = degradation.kind === "corruption"
      ? corruptImage(image, height, width, degradation.name, degradation.severity, { seed, index: i })
      : applyDistortion(
        degradation.name,
        image,
        height,
        width,
        degradation.level,
        new Random(seed, DISTORTION_STREAM + i),
      );
    for (let p = 0; p < pixelsPerImage; p++) {
      images[offset + p] = Math.round(Math.min(1, Math.max(0, degraded[p])) * 255);
    }
  }
  return { images, labels: split.labels, count, height, width };
}

/**
 * Returns the hex SHA-256 of a split's pixels, labels and shape. A streamed split is
 * read in chunks, unless it carries the digest from the pass that checked its file.
 */
export function splitDigest(split: TrainSplit): string {
  if (isStreamed(split) && split.digest !== undefined) return split.digest;
  const hash = startSplitDigest(split);
  forEachImageChunk(split, (pixels) => hash.update(pixels));
  return finishSplitDigest(hash, split.labels);
}

/** Returns the cache key of a degraded copy: a hash of the source pixels, the degradation, the seed and the version. */
export function degradedSplitKey(sourceDigest: string, degradation: Degradation, seed: number): string {
  const description = JSON.stringify([CORRUPTED_SPLIT_VERSION, sourceDigest, degradation, seed]);
  return `degraded-${createHash("sha256").update(description).digest("hex").slice(0, 32)}`;
}

/** Options of {@linkcode loadDegradedSplit}. */
export interface DegradedSplitOptions {
  /** Base seed of the evaluation. */
  seed: number;
  /** Cache folder, or null to compute every copy without storing it. */
  cacheDir: string | null;
  /** SHA-256 of the source split from {@linkcode splitDigest}, computed once per split by the caller. */
  sourceDigest: string;
  /** Called with a message when the cache cannot be read or written; the copy is then computed or used anyway. */
  onCacheProblem?: (message: string) => void;
}

/**
 * Returns the degraded copy of a split from the cache, or computes it and stores it.
 * A cache file that is corrupt or unreadable is reported and replaced.
 */
export async function loadDegradedSplit(
  split: ImageSplit,
  degradation: Degradation,
  options: DegradedSplitOptions,
): Promise<ImageSplit> {
  const key = degradedSplitKey(options.sourceDigest, degradation, options.seed);
  const label = describeDegradation(degradation);
  if (options.cacheDir !== null) {
    try {
      const cached = await readCachedSplit(options.cacheDir, key);
      if (cached !== null) return cached.split;
    } catch (error) {
      options.onCacheProblem?.(
        `Ignoring the cached ${label} copy, computing it again: ${(error as Error).message}`,
      );
    }
  }
  const degraded = degradeSplit(split, degradation, options.seed);
  if (options.cacheDir !== null) {
    await writeCachedSplit(options.cacheDir, key, degraded, `${label} of ${options.sourceDigest}`).catch(
      (error) =>
        options.onCacheProblem?.(
          `Could not store the ${label} copy in ${join(options.cacheDir!, key)}.bin, continuing: ${error}`,
        ),
    );
  }
  return degraded;
}
