/**
 * One optimizer step of the harness: forward in training mode, soft-target
 * cross-entropy, gradients of every trainable variable, the SGD update, and the
 * batch-norm running statistics, with no tensor left behind.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { softCrossEntropy } from "../metrics/soft_cross_entropy.ts";
import { applyBatchNormUpdates, forwardResNet18 } from "./resnet_forward.ts";
import type { BatchNormUpdate, ResNet18 } from "./resnet.ts";
import type { NesterovSgd } from "./sgd.ts";

/**
 * Trains the model on one batch.
 *
 * @param images Normalized images, [N, H, W, 3], float32.
 * @param targets Soft targets, [N, K], rows summing to 1.
 * @returns The batch's mean loss before the update.
 */
export async function trainStep(
  model: ResNet18,
  optimizer: NesterovSgd,
  images: tf.Tensor4D,
  targets: tf.Tensor2D,
  learningRate: number,
): Promise<number> {
  let updates: BatchNormUpdate[] = [];
  const variables = [...model.trainable.values()];
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const forward = forwardResNet18(model, images, true);
      updates = forward.updates;
      return softCrossEntropy(forward.logits, targets);
    }, variables);
    optimizer.apply(model.trainable, grads, learningRate);
    return value;
  });
  applyBatchNormUpdates(model, updates);
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

/**
 * Returns softmax probabilities of the model in inference mode.
 *
 * @param images Normalized images, [N, H, W, 3], float32.
 * @returns Row-major [N, K] probabilities.
 */
export async function predictProbabilities(model: ResNet18, images: tf.Tensor4D): Promise<Float32Array> {
  const probabilities = tf.tidy(() => tf.softmax(forwardResNet18(model, images, false).logits));
  const values = await probabilities.data() as Float32Array;
  probabilities.dispose();
  return values;
}
