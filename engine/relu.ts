/**
 * ReLU for the training pass, with TensorFlow's fused gradient on the native backend.
 *
 * tfjs differentiates `tf.relu` through `tf.step`. In a profile of tfjs-node, each of
 * those calls ran five full-size operations (comparison, NaN test, fill, select, step),
 * about 5% of a ResNet-18 training step at width 1. `ReluGrad` does the same in one
 * operation: dy where the input is positive, 0 elsewhere. Other backends keep `tf.relu`.
 *
 * NOTE: `ReluGrad` runs through tfjs-node's backend directly, not as a tfjs kernel, so
 * `tf.profile` does not list it and its time counts toward no kernel there.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type NativeBackend, nativeBackend, TF_FLOAT } from "./native_backend.ts";

function fusedGradientRelu(backend: NativeBackend, x: tf.Tensor4D): tf.Tensor4D {
  const attributes = [{ name: "T", type: backend.binding.TF_ATTR_TYPE, value: TF_FLOAT }];
  const relu = tf.customGrad(
    ((input: tf.Tensor4D, save: tf.GradSaveFunc) => {
      save([input]);
      return {
        value: tf.relu(input),
        gradFunc: (dy: tf.Tensor4D, [saved]: tf.Tensor[]) =>
          backend.executeSingleOutput("ReluGrad", attributes, [dy, saved]),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );
  return relu(x) as tf.Tensor4D;
}

/** Returns max(x, 0), as `tf.relu`, with the same gradient (0 at x = 0). */
export function reluTraining(x: tf.Tensor4D): tf.Tensor4D {
  const backend = nativeBackend();
  return backend === null ? tf.relu(x) : fusedGradientRelu(backend, x);
}
