/**
 * Forward pass of {@linkcode ResNet18}, in training mode (batch statistics)
 * or inference mode (running statistics).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { batchNormTraining } from "./batch_norm.ts";
import { convolve as convolution } from "./convolution.ts";
import { reluTraining } from "./relu.ts";
import { BATCH_NORM_MOMENTUM, type BatchNormUpdate, type ResNet18 } from "./resnet.ts";

const BATCH_NORM_EPSILON = 1e-5;

interface ForwardState {
  model: ResNet18;
  training: boolean;
  updates: BatchNormUpdate[];
}

/**
 * Runs the network on a batch.
 *
 * @param model The network.
 * @param images Normalized images, shape [N, H, W, 3], float32.
 * @param training Uses batch statistics and records them in `updates` when true.
 * @returns Logits of shape [N, K] and, in training mode, the batch statistics to
 *   fold into the running ones with {@linkcode applyBatchNormUpdates}. The caller
 *   owns the statistics tensors.
 */
export function forwardResNet18(
  model: ResNet18,
  images: tf.Tensor4D,
  training: boolean,
): { logits: tf.Tensor2D; updates: BatchNormUpdate[] } {
  const state: ForwardState = { model, training, updates: [] };
  const stemStride = model.options.stem === "imagenet" ? 2 : 1;
  let x = convolve(state, images, "stem.conv", stemStride);
  x = activate(state, batchNorm(state, x, "stem.bn"));
  if (model.options.stem === "imagenet") x = tf.maxPool(x, 3, 2, "same");
  for (let stage = 1; stage <= 4; stage++) {
    for (let block = 1; block <= 2; block++) {
      const stride = stage > 1 && block === 1 ? 2 : 1;
      x = basicBlock(state, x, `stage${stage}.block${block}`, stride);
    }
  }
  const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
  const kernel = model.trainable.get("head.kernel")!;
  const bias = model.trainable.get("head.bias")!;
  const logits = tf.add(tf.matMul(pooled, kernel), bias) as tf.Tensor2D;
  return { logits, updates: state.updates };
}

function basicBlock(state: ForwardState, x: tf.Tensor4D, prefix: string, stride: number): tf.Tensor4D {
  let y = activate(state, batchNorm(state, convolve(state, x, `${prefix}.conv1`, stride), `${prefix}.bn1`));
  y = batchNorm(state, convolve(state, y, `${prefix}.conv2`, 1), `${prefix}.bn2`);
  const shortcut = state.model.trainable.has(`${prefix}.shortcut.conv`)
    ? batchNorm(state, convolve(state, x, `${prefix}.shortcut.conv`, stride), `${prefix}.shortcut.bn`)
    : x;
  return activate(state, tf.add(y, shortcut));
}

/** Applies ReLU, in training mode with the backend's fused gradient where there is one. */
function activate(state: ForwardState, x: tf.Tensor4D): tf.Tensor4D {
  return state.training ? reluTraining(x) : tf.relu(x);
}

function convolve(state: ForwardState, x: tf.Tensor4D, name: string, stride: number): tf.Tensor4D {
  const kernel = state.model.trainable.get(name) as tf.Tensor4D;
  // The stem's input is the images, whose gradient nothing reads.
  return convolution(x, kernel, stride, name !== "stem.conv");
}

function batchNorm(state: ForwardState, x: tf.Tensor4D, name: string): tf.Tensor4D {
  const { trainable, runningStatistics } = state.model;
  const gamma = trainable.get(`${name}.gamma`) as tf.Tensor1D;
  const beta = trainable.get(`${name}.beta`) as tf.Tensor1D;
  if (!state.training) {
    const mean = runningStatistics.get(`${name}.mean`) as tf.Tensor1D;
    const variance = runningStatistics.get(`${name}.variance`) as tf.Tensor1D;
    return tf.batchNorm4d(x, mean, variance, beta, gamma, BATCH_NORM_EPSILON);
  }
  const { y, mean, variance } = batchNormTraining(x, gamma, beta, BATCH_NORM_EPSILON);
  state.updates.push({ name, mean, variance, count: x.shape[0] * x.shape[1] * x.shape[2] });
  return y;
}

/**
 * Folds the batch statistics of a training pass into the running ones and
 * disposes them. As in PyTorch, the running variance takes the unbiased batch
 * variance, times count / (count - 1). A count of 1 (one image with a 1x1
 * feature map) keeps the biased value, because the correction would divide by zero.
 */
export function applyBatchNormUpdates(model: ResNet18, updates: BatchNormUpdate[]): void {
  for (const update of updates) {
    const runningMean = model.runningStatistics.get(`${update.name}.mean`)!;
    const runningVariance = model.runningStatistics.get(`${update.name}.variance`)!;
    const correction = update.count > 1 ? update.count / (update.count - 1) : 1;
    tf.tidy(() => {
      runningMean.assign(
        tf.add(tf.mul(runningMean, 1 - BATCH_NORM_MOMENTUM), tf.mul(update.mean, BATCH_NORM_MOMENTUM)),
      );
      runningVariance.assign(
        tf.add(
          tf.mul(runningVariance, 1 - BATCH_NORM_MOMENTUM),
          tf.mul(update.variance, BATCH_NORM_MOMENTUM * correction),
        ),
      );
    });
    update.mean.dispose();
    update.variance.dispose();
  }
}
