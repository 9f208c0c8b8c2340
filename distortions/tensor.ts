/**
 * The four distortions on tfjs tensors, for GPU backends. A distortion is first
 * planned on the CPU. Its level becomes a blur kernel, a mosaic block size, or the
 * random numbers it needs (diffusion noise, dropped patches). Those come from the
 * run's generator in the same order as the `Float32Array` versions draw them.
 * Applying the plans to a batch tensor then gives the same images as those
 * versions, up to float32 rounding.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Random } from "../engine/random.ts";
import { CHANNELS, validateLevel } from "./_image.ts";
import { blurRadius, blurSigma, gaussianKernel } from "./blur.ts";
import { diffusionAlphaBar, diffusionStep } from "./diffusion.ts";
import { sampleDroppedPatches } from "./dropout.ts";
import type { DistortionName, DistortionOptions } from "./mod.ts";
import { mosaicBlockSize } from "./mosaic.ts";

/** One image's distortion with everything random already drawn. */
export type DistortionPlan =
  | { name: "diffusion"; signalScale: number; noiseScale: number; noise: Float32Array }
  | { name: "blur"; horizontal: Float32Array; vertical: Float32Array }
  | { name: "dropout"; keep: Float32Array }
  | { name: "mosaic"; block: number }
  | { name: "none" };

/**
 * Plans one distortion of an image of `height` x `width` pixels at `level`,
 * drawing from `random` exactly what `applyDistortion` draws for it.
 */
export function planDistortion(
  name: DistortionName,
  height: number,
  width: number,
  level: number,
  random: Random,
  options: DistortionOptions = {},
): DistortionPlan {
  validateLevel(level, "planDistortion");
  switch (name) {
    case "diffusion": {
      const alphaBar = diffusionAlphaBar(diffusionStep(level));
      const noise = new Float32Array(height * width * CHANNELS);
      for (let i = 0; i < noise.length; i++) noise[i] = random.normal();
      return { name, signalScale: Math.sqrt(alphaBar), noiseScale: Math.sqrt(1 - alphaBar), noise };
    }
    case "blur": {
      const sigma = blurSigma(level, height, width, options);
      if (sigma === 0) return { name: "none" };
      return {
        name,
        horizontal: Float32Array.from(gaussianKernel(sigma, blurRadius(sigma, width))),
        vertical: Float32Array.from(gaussianKernel(sigma, blurRadius(sigma, height))),
      };
    }
    case "dropout":
      return { name, keep: dropoutKeepMask(height, width, level, random, options) };
    case "mosaic":
      return { name, block: mosaicBlockSize(level, height, width) };
  }
}

function dropoutKeepMask(
  height: number,
  width: number,
  level: number,
  random: Random,
  options: DistortionOptions,
): Float32Array {
  const keep = new Float32Array(height * width).fill(1);
  for (const { top, left, bottom, right } of sampleDroppedPatches(height, width, level, random, options)) {
    for (let y = top; y < bottom; y++) keep.fill(0, y * width + left, y * width + right);
  }
  return keep;
}

/**
 * Applies one plan per image to a batch [N, H, W, 3] of values in [0, 1] and
 * returns the distorted batch, clamped to [0, 1]. The caller disposes both.
 *
 * @throws {RangeError} when the number of plans differs from the batch size.
 */
export function applyDistortionPlans(images: tf.Tensor4D, plans: readonly DistortionPlan[]): tf.Tensor4D {
  const [count, height, width] = images.shape;
  if (plans.length !== count) {
    throw new RangeError(`applyDistortionPlans: ${plans.length} plans for a batch of ${count} images.`);
  }
  return tf.tidy(() => {
    const distorted = tf.unstack(images).map((image, i) =>
      tf.clipByValue(applyPlan(image as tf.Tensor3D, plans[i], height, width), 0, 1)
    );
    return tf.stack(distorted) as tf.Tensor4D;
  });
}

function applyPlan(image: tf.Tensor3D, plan: DistortionPlan, height: number, width: number): tf.Tensor3D {
  switch (plan.name) {
    case "none":
      return image;
    case "diffusion":
      return tf.add(
        tf.mul(image, plan.signalScale),
        tf.mul(tf.tensor3d(plan.noise, [height, width, CHANNELS]), plan.noiseScale),
      );
    case "blur":
      return blurImage(image, plan.horizontal, plan.vertical);
    case "dropout":
      return tf.mul(tf.clipByValue(image, 0, 1), tf.tensor3d(plan.keep, [height, width, 1]));
    case "mosaic":
      return mosaicImage(image, plan.block, height, width);
  }
}

/** Separable Gaussian blur with mirrored borders (the edge pixel not repeated), rows first. */
function blurImage(image: tf.Tensor3D, horizontal: Float32Array, vertical: Float32Array): tf.Tensor3D {
  const rowRadius = (horizontal.length - 1) / 2;
  const columnRadius = (vertical.length - 1) / 2;
  const padded = tf.mirrorPad(
    image,
    [[columnRadius, columnRadius], [rowRadius, rowRadius], [0, 0]],
    "reflect",
  );
  const filter = (kernel: Float32Array, shape: [number, number]) =>
    tf.tile(tf.tensor4d(kernel, [...shape, 1, 1]), [1, 1, CHANNELS, 1]) as tf.Tensor4D;
  const rows = tf.depthwiseConv2d(padded, filter(horizontal, [1, horizontal.length]), 1, "valid");
  return tf.depthwiseConv2d(rows, filter(vertical, [vertical.length, 1]), 1, "valid") as tf.Tensor3D;
}

/** Replaces each block of `block` x `block` pixels (partial at the far edges) by its mean. */
function mosaicImage(image: tf.Tensor3D, block: number, height: number, width: number): tf.Tensor3D {
  const blockRows = Math.ceil(height / block);
  const blockColumns = Math.ceil(width / block);
  const padding: [number, number][] = [[0, blockRows * block - height], [0, blockColumns * block - width], [
    0,
    0,
  ]];
  const sums = tf.avgPool(tf.pad(image, padding), block, block, "valid");
  const counts = tf.avgPool(
    tf.pad(tf.ones([height, width, 1]) as tf.Tensor3D, padding),
    block,
    block,
    "valid",
  );
  const means = tf.div(sums, counts) as tf.Tensor3D;
  const rowOf = tf.tensor1d(Array.from({ length: height }, (_, y) => Math.floor(y / block)), "int32");
  const columnOf = tf.tensor1d(Array.from({ length: width }, (_, x) => Math.floor(x / block)), "int32");
  return tf.gather(tf.gather(means, rowOf, 0), columnOf, 1);
}
