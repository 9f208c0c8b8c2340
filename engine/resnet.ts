/**
 * ResNet-18 (He et al., 2016, "Deep Residual Learning for Image Recognition")
 * written as plain functions over named `tf.Variable`s, so the training step
 * controls gradients, weight decay and batch-norm statistics itself.
 *
 * Inputs are NHWC float32 batches, normalized per channel. Two stems:
 * `cifar` (3x3 conv, stride 1, no max-pool, for images up to 64 px) and
 * `imagenet` (7x7 conv, stride 2, then 3x3 max-pool with stride 2).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Random } from "./random.ts";

/** Stem variants of the network's first layer. */
export type StemName = "cifar" | "imagenet";

/** Options of {@linkcode createResNet18}. */
export interface ResNetOptions {
  /** Number of output classes K. */
  numClasses: number;
  /** Channel multiplier: stage widths are round(64, 128, 256, 512 times width). */
  width: number;
  /** Side of the square input images in pixels; picks the stem unless `stem` is given. */
  imageSide: number;
  /** Stem override; default `cifar` for sides up to 64 px, `imagenet` above. */
  stem?: StemName;
  /** Seed of the weight initialization. */
  seed: number;
}

/** Batch-norm statistics of one training forward pass, applied after the gradient step. */
export interface BatchNormUpdate {
  name: string;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** Values per channel that the statistics were computed over (N * H * W). */
  count: number;
}

/**
 * A ResNet-18 with its trainable variables and batch-norm running statistics.
 * The maps' keys are layer names; the variables keep tfjs's unique automatic
 * names, so several models can exist at once.
 */
export interface ResNet18 {
  options: Required<ResNetOptions>;
  /** Trainable variables by name, in a fixed order. */
  trainable: Map<string, tf.Variable>;
  /** Running means and variances of batch-norm layers (not trained by gradients). */
  runningStatistics: Map<string, tf.Variable>;
  /** Names of conv and dense kernels, the only variables that get weight decay. */
  decayed: Set<string>;
}

/** Output channels of the four stages at width 1. */
export const STAGE_CHANNELS = [64, 128, 256, 512];

/** PyTorch's convention: running = (1 - momentum) running + momentum batch. */
export const BATCH_NORM_MOMENTUM = 0.1;

/** Returns the stem a given image side uses by default. */
export function defaultStem(imageSide: number): StemName {
  return imageSide <= 64 ? "cifar" : "imagenet";
}

/**
 * Creates a ResNet-18 with seeded weights: Kaiming-normal conv kernels (fan-out,
 * ReLU gain, as torchvision does), batch-norm scale 1 and offset 0, and a dense
 * layer drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 *
 * @throws {Error} when the width leaves a layer without channels or the image is too small for the stem.
 */
export function createResNet18(options: ResNetOptions): ResNet18 {
  const resolved: Required<ResNetOptions> = { stem: defaultStem(options.imageSide), ...options };
  validateResNetOptions(resolved);
  const random = new Random(resolved.seed, 0x5e5);
  const model: ResNet18 = {
    options: resolved,
    trainable: new Map(),
    runningStatistics: new Map(),
    decayed: new Set(),
  };
  const channels = STAGE_CHANNELS.map((c) => Math.round(c * resolved.width));
  const stemKernel = resolved.stem === "cifar" ? 3 : 7;
  addConv(model, random, "stem.conv", stemKernel, 3, channels[0]);
  addBatchNorm(model, "stem.bn", channels[0]);
  let inChannels = channels[0];
  channels.forEach((outChannels, stage) => {
    for (let block = 0; block < 2; block++) {
      const prefix = `stage${stage + 1}.block${block + 1}`;
      const stride = stage > 0 && block === 0 ? 2 : 1;
      addConv(model, random, `${prefix}.conv1`, 3, inChannels, outChannels);
      addBatchNorm(model, `${prefix}.bn1`, outChannels);
      addConv(model, random, `${prefix}.conv2`, 3, outChannels, outChannels);
      addBatchNorm(model, `${prefix}.bn2`, outChannels);
      if (stride !== 1 || inChannels !== outChannels) {
        addConv(model, random, `${prefix}.shortcut.conv`, 1, inChannels, outChannels);
        addBatchNorm(model, `${prefix}.shortcut.bn`, outChannels);
      }
      inChannels = outChannels;
    }
  });
  addDense(model, random, "head", inChannels, resolved.numClasses);
  return model;
}

/**
 * Checks ResNet options before any variable is created.
 *
 * @throws {Error} naming the value and the accepted range.
 */
export function validateResNetOptions(options: Required<ResNetOptions>): void {
  if (!Number.isInteger(options.numClasses) || options.numClasses < 2) {
    throw new Error(`numClasses must be an integer of at least 2, got ${options.numClasses}`);
  }
  if (!(options.width > 0) || Math.round(64 * options.width) < 1) {
    throw new Error(
      `Width ${options.width} leaves the first stage with ${Math.round(64 * options.width)} channels; ` +
        `use a width of at least ${1 / 128} (0.125 or more is practical).`,
    );
  }
  const minimumSide = options.stem === "cifar" ? 8 : 32;
  if (!Number.isInteger(options.imageSide) || options.imageSide < minimumSide) {
    throw new Error(
      `Image side ${options.imageSide} is too small for the ${options.stem} stem; ` +
        `use a side of at least ${minimumSide} px.`,
    );
  }
}

function addConv(
  model: ResNet18,
  random: Random,
  name: string,
  kernel: number,
  inChannels: number,
  outChannels: number,
): void {
  const std = Math.sqrt(2 / (kernel * kernel * outChannels));
  const values = new Float32Array(kernel * kernel * inChannels * outChannels);
  for (let i = 0; i < values.length; i++) values[i] = random.normal() * std;
  const shape = [kernel, kernel, inChannels, outChannels];
  model.trainable.set(
    name,
    tf.tidy(() => tf.variable(tf.tensor4d(values, shape as [number, number, number, number]), true)),
  );
  model.decayed.add(name);
}

function addBatchNorm(model: ResNet18, name: string, channels: number): void {
  model.trainable.set(`${name}.gamma`, tf.tidy(() => tf.variable(tf.ones([channels]), true)));
  model.trainable.set(`${name}.beta`, tf.tidy(() => tf.variable(tf.zeros([channels]), true)));
  model.runningStatistics.set(`${name}.mean`, tf.tidy(() => tf.variable(tf.zeros([channels]), false)));
  model.runningStatistics.set(`${name}.variance`, tf.tidy(() => tf.variable(tf.ones([channels]), false)));
}

function addDense(model: ResNet18, random: Random, name: string, inputs: number, outputs: number): void {
  const bound = 1 / Math.sqrt(inputs);
  const kernel = new Float32Array(inputs * outputs).map(() => (2 * random.uniform() - 1) * bound);
  const bias = new Float32Array(outputs).map(() => (2 * random.uniform() - 1) * bound);
  model.trainable.set(
    `${name}.kernel`,
    tf.tidy(() => tf.variable(tf.tensor2d(kernel, [inputs, outputs]), true)),
  );
  model.trainable.set(`${name}.bias`, tf.tidy(() => tf.variable(tf.tensor1d(bias), true)));
  model.decayed.add(`${name}.kernel`);
}

/** Releases every variable of the model. */
export function disposeResNet18(model: ResNet18): void {
  for (const variable of model.trainable.values()) variable.dispose();
  for (const variable of model.runningStatistics.values()) variable.dispose();
}

/** Counts the trainable scalars. */
export function countParameters(model: ResNet18): number {
  let total = 0;
  for (const variable of model.trainable.values()) total += variable.size;
  return total;
}
