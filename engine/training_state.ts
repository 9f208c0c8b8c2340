/**
 * The tensors a resumed run needs, copied between the model and optimizer and
 * plain float32 arrays: trainable weights, batch-norm running statistics, and
 * SGD momentum buffers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ResNet18 } from "./resnet.ts";
import type { NesterovSgd } from "./sgd.ts";

/** Groups of training tensors, one per kind of state. */
export const TENSOR_GROUPS = ["weights", "batchNormStatistics", "momentum"] as const;

/** Kind of a training tensor: a trainable weight, a batch-norm running mean or variance, or a momentum buffer. */
export type TensorGroup = typeof TENSOR_GROUPS[number];

/** One training tensor as a plain array. */
export interface NamedArray {
  group: TensorGroup;
  /** Layer name as in {@linkcode ResNet18}'s maps, for example `stage1.block1.conv1`. */
  name: string;
  shape: number[];
  /** Row-major values, as many as the product of `shape`. */
  values: Float32Array;
}

/** Copies every training tensor of the model and optimizer to arrays, in a fixed order. */
export async function captureTrainingTensors(model: ResNet18, optimizer: NesterovSgd): Promise<NamedArray[]> {
  const sources: [TensorGroup, ReadonlyMap<string, tf.Variable>][] = [
    ["weights", model.trainable],
    ["batchNormStatistics", model.runningStatistics],
    ["momentum", optimizer.buffers],
  ];
  const arrays: NamedArray[] = [];
  for (const [group, variables] of sources) {
    for (const [name, variable] of variables) {
      const values = Float32Array.from(await variable.data() as Float32Array);
      arrays.push({ group, name, shape: [...variable.shape], values });
    }
  }
  return arrays;
}

/**
 * Writes arrays from {@linkcode captureTrainingTensors} back into a model and
 * optimizer of the same architecture. Every weight and batch-norm statistic
 * must be present with its shape. Momentum buffers may be absent (before the
 * first step), but each one present must match a trainable variable's shape.
 *
 * @throws {Error} listing the missing, extra or reshaped tensors, before any variable changes.
 */
export function restoreTrainingTensors(
  model: ResNet18,
  optimizer: NesterovSgd,
  arrays: readonly NamedArray[],
): void {
  const problems = findMismatches(model, arrays);
  if (problems.length > 0) {
    const firstProblems = problems.slice(0, 5).join("; ");
    const more = problems.length > 5 ? ` and ${problems.length - 5} more` : "";
    throw new Error(
      `The checkpoint does not match the model: ${firstProblems}${more}. ` +
        "The code changed since it was written. Pass --force to start the run over.",
    );
  }
  for (const array of arrays) {
    const tensor = tf.tensor(array.values, array.shape, "float32");
    if (array.group === "weights") model.trainable.get(array.name)!.assign(tensor);
    if (array.group === "batchNormStatistics") model.runningStatistics.get(array.name)!.assign(tensor);
    if (array.group === "momentum") optimizer.setBuffer(array.name, tensor);
    tensor.dispose();
  }
}

function findMismatches(model: ResNet18, arrays: readonly NamedArray[]): string[] {
  const expected = new Map<string, number[]>();
  for (const [name, variable] of model.trainable) expected.set(`weights/${name}`, variable.shape);
  for (const [name, variable] of model.runningStatistics) {
    expected.set(`batchNormStatistics/${name}`, variable.shape);
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const array of arrays) {
    const key = `${array.group}/${array.name}`;
    const shape = array.group === "momentum" ? model.trainable.get(array.name)?.shape : expected.get(key);
    if (seen.has(key)) problems.push(`${key} appears twice`);
    seen.add(key);
    if (shape === undefined) {
      problems.push(`${key} is not in the model`);
    } else if (!tf.util.arraysEqual(shape, array.shape)) {
      problems.push(`${key} has shape [${array.shape}], the model [${shape}]`);
    } else if (array.values.length !== tf.util.sizeFromShape(array.shape)) {
      problems.push(`${key} has ${array.values.length} values for shape [${array.shape}]`);
    }
  }
  for (const key of expected.keys()) {
    if (!seen.has(key)) problems.push(`${key} is missing`);
  }
  return problems;
}
