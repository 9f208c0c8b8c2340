/**
 * Training-mode batch normalization over N, H and W of an NHWC tensor.
 *
 * On the native `tensorflow` backend this runs TensorFlow's fused kernels
 * (`FusedBatchNormV3` forward, `FusedBatchNormGradV3` backward, with
 * is_training=true) as one op each way. The composite that tfjs builds from
 * `tf.moments` and `tf.batchNorm` takes about a dozen full-size elementwise ops
 * for the gradient, which made batch norm the slowest part of a ResNet-18
 * training step. Other backends use that composite.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type NativeBackend, nativeBackend, TF_FLOAT } from "./native_backend.ts";

/** Output of {@linkcode batchNormTraining}. */
export interface BatchNormTrainingResult {
  /** Normalized, scaled and shifted values, same shape as the input. */
  y: tf.Tensor4D;
  /** Batch mean per channel, [C]; kept outside any tidy, so the caller disposes it. */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel (divided by N * H * W), [C]; the caller disposes it. */
  variance: tf.Tensor1D;
}

/**
 * Normalizes `x` with its batch statistics and applies `gamma` and `beta`.
 *
 * @param x Activations, [N, H, W, C], float32.
 * @param gamma Scale per channel, [C].
 * @param beta Offset per channel, [C].
 * @param epsilon Added to the variance before the square root.
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): BatchNormTrainingResult {
  const backend = nativeBackend();
  if (backend === null) return compositeBatchNorm(x, gamma, beta, epsilon);
  return fusedBatchNorm(backend, x, gamma, beta, epsilon);
}

function compositeBatchNorm(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): BatchNormTrainingResult {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, epsilon);
  return { y, mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D };
}

function fusedBatchNorm(
  backend: NativeBackend,
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): BatchNormTrainingResult {
  const { binding } = backend;
  const attributes = [
    { name: "T", type: binding.TF_ATTR_TYPE, value: TF_FLOAT },
    { name: "U", type: binding.TF_ATTR_TYPE, value: TF_FLOAT },
    { name: "epsilon", type: binding.TF_ATTR_FLOAT, value: epsilon },
    { name: "exponential_avg_factor", type: binding.TF_ATTR_FLOAT, value: 1 },
    { name: "data_format", type: binding.TF_ATTR_STRING, value: "NHWC" },
    { name: "is_training", type: binding.TF_ATTR_BOOL, value: true },
  ];
  const gradientAttributes = attributes.filter((attribute) => attribute.name !== "exponential_avg_factor");
  let mean: tf.Tensor1D | undefined;
  let variance: tf.Tensor1D | undefined;
  const forward = (input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, save: tf.GradSaveFunc) => {
    const empty = tf.tensor1d([], "float32");
    const [y, batchMean, , reserve1, reserve2, reserve3] = backend.executeMultipleOutputs(
      "FusedBatchNormV3",
      attributes,
      // The mean and variance inputs are unused when is_training is true.
      [input, scale, offset, empty, empty],
      6,
    );
    mean = tf.keep(batchMean) as tf.Tensor1D;
    // reserve2 is the biased batch variance on the CPU kernel; batch_variance
    // (the third output) has Bessel's correction, which the caller applies itself.
    variance = tf.keep(reserve2.clone()) as tf.Tensor1D;
    save([input, scale, reserve1, reserve2, reserve3]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dx, dScale, dOffset] = backend.executeMultipleOutputs(
          "FusedBatchNormGradV3",
          gradientAttributes,
          [dy, ...saved],
          5,
        );
        return [dx, dScale, dOffset];
      },
    };
  };
  const normalize = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = normalize(x, gamma, beta) as tf.Tensor4D;
  return { y, mean: mean!, variance: variance! };
}
