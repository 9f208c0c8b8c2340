/**
 * Access to TensorFlow operations that tfjs-node can run but tfjs does not expose,
 * for the fused kernels of the training pass.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** An attribute of a TensorFlow operation, as tfjs-node's binding takes it. */
export interface NativeAttribute {
  name: string;
  type: number;
  value: unknown;
}

/** The parts of tfjs-node's backend that the fused kernels call. */
export interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number };
  executeSingleOutput(name: string, attributes: NativeAttribute[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(
    name: string,
    attributes: NativeAttribute[],
    inputs: tf.Tensor[],
    outputs: number,
  ): tf.Tensor[];
}

/** TensorFlow's TF_DataType code of float32. */
export const TF_FLOAT = 1;

/** Returns tfjs-node's backend when it is the active one, else null. */
export function nativeBackend(): NativeBackend | null {
  if (tf.getBackend() !== "tensorflow") return null;
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  return typeof backend.executeMultipleOutputs === "function" &&
      typeof backend.executeSingleOutput === "function" && backend.binding !== undefined
    ? backend as NativeBackend
    : null;
}
