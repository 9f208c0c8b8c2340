/**
 * Compares one ResNet-18 training step on a GPU backend with the same step on
 * the cpu backend: the loss, every trainable variable's update and the
 * batch-norm running statistics.
 *
 * Run it as a script to get one JSON object on stdout:
 *
 * ```sh
 * deno run --allow-all engine/gpu_step_check.ts --backend webgpu
 * ```
 *
 * It exits with 0 when every difference is within {@linkcode STEP_TOLERANCES},
 * 1 when one is not, and 2 when a backend fails to start or an option is invalid.
 * A separate process is the safe place for this check, because a WebGPU
 * adapter and TensorFlow's binding cannot both load into one process in every
 * order (see probeWebGpuInSubprocess in gpu_probe.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendName, parseBackendName, selectBackend } from "./backend.ts";
import { Random } from "./random.ts";
import { createResNet18, defaultStem, disposeResNet18, type StemName } from "./resnet.ts";
import { NesterovSgd } from "./sgd.ts";
import { trainStep } from "./train_step.ts";

/** Shape of the checked step. */
export interface StepCheckOptions {
  /** Image side in pixels. */
  side: number;
  batchSize: number;
  /** ResNet-18 channel multiplier. */
  width: number;
  /** Stem, by default `cifar` up to 64 px and `imagenet` above, as in engine/resnet.ts. */
  stem?: StemName;
}

// At 8 px the last stage's feature maps are 1x1, so batch norm there averages
// over 4 values, which magnifies float32 rounding: after two steps the updates
// of webgpu and cpu differed by up to 4e-4 of their size. 16 px keeps the step
// well conditioned.
/** The default step: 16 px, batch 4, width 0.125, which takes seconds on a CPU. */
export const DEFAULT_STEP_CHECK: StepCheckOptions = { side: 16, batchSize: 4, width: 0.125 };

/**
 * Allowed differences from the cpu backend. They are 10 to 80 times the
 * largest differences that webgpu on Mesa 22.3.6's lavapipe (Debian 12) showed
 * in the default step: 1.2e-7 in the loss, 2.0e-5 of the largest update of a
 * variable and 3e-7 in a running statistic.
 */
export const STEP_TOLERANCES = {
  /** Absolute difference of the loss. */
  loss: 1e-5,
  /** Largest difference of a variable's update, relative to that variable's largest update on cpu. */
  relativeUpdate: 2e-4,
  /** Absolute difference of a running mean or variance, times max(1, its largest magnitude). */
  runningStatistic: 1e-5,
};

const NUM_CLASSES = 3;
const LEARNING_RATE = 0.1;

/** Loss, per-variable updates and running statistics after one training step from the seeded start. */
export interface StepResult {
  loss: number;
  updates: Map<string, Float32Array>;
  runningStatistics: Map<string, Float32Array>;
  /** Wall-clock seconds of the step, the first use of each kernel included. */
  seconds: number;
}

/** Runs one seeded training step on the active backend. Reads values with `data()` only. */
export async function runTrainingStep(options: StepCheckOptions = DEFAULT_STEP_CHECK): Promise<StepResult> {
  const { side, batchSize, width } = options;
  const stem = options.stem ?? defaultStem(side);
  const random = new Random(7);
  const pixels = Float32Array.from({ length: batchSize * side * side * 3 }, () => random.normal());
  const oneHot = new Float32Array(batchSize * NUM_CLASSES);
  for (let i = 0; i < batchSize; i++) oneHot[i * NUM_CLASSES + (i % NUM_CLASSES)] = 1;
  const images = tf.tensor4d(pixels, [batchSize, side, side, 3]);
  const targets = tf.tensor2d(oneHot, [batchSize, NUM_CLASSES]);
  const model = createResNet18({ numClasses: NUM_CLASSES, width, imageSide: side, stem, seed: 1 });
  const optimizer = new NesterovSgd({ momentum: 0.9, weightDecay: 5e-4, decayed: model.decayed });

  const before = new Map<string, Float32Array>();
  for (const [name, variable] of model.trainable) before.set(name, await variable.data() as Float32Array);
  const start = performance.now();
  const loss = await trainStep(model, optimizer, images, targets, LEARNING_RATE);
  const seconds = (performance.now() - start) / 1000;

  // The webgpu backend cannot read synchronously under Deno, so every read awaits data().
  const updates = new Map<string, Float32Array>();
  for (const [name, variable] of model.trainable) {
    const after = await variable.data() as Float32Array;
    const initial = before.get(name)!;
    updates.set(name, after.map((value, i) => value - initial[i]));
  }
  const runningStatistics = new Map<string, Float32Array>();
  for (const [name, variable] of model.runningStatistics) {
    runningStatistics.set(name, await variable.data() as Float32Array);
  }

  tf.dispose([images, targets]);
  optimizer.dispose();
  disposeResNet18(model);
  return { loss, updates, runningStatistics, seconds };
}

/** Differences of one step between a backend and the cpu reference. */
export interface StepComparison {
  referenceLoss: number;
  loss: number;
  /** Per trainable variable: the largest update on cpu and the largest difference between the updates. */
  variables: { name: string; maxUpdate: number; maxDifference: number }[];
  /** Per running mean or variance: its largest magnitude on cpu and the largest difference. */
  runningStatistics: { name: string; maxValue: number; maxDifference: number }[];
}

/**
 * Measures how far `candidate` is from `reference`.
 *
 * @throws {Error} when the two steps trained different variables or shapes.
 */
export function compareSteps(reference: StepResult, candidate: StepResult): StepComparison {
  const variables = [...reference.updates].map(([name, update]) => ({
    name,
    maxUpdate: maxAbs(update),
    maxDifference: maxAbsDifference(name, update, candidate.updates.get(name)),
  }));
  const runningStatistics = [...reference.runningStatistics].map(([name, values]) => ({
    name,
    maxValue: maxAbs(values),
    maxDifference: maxAbsDifference(name, values, candidate.runningStatistics.get(name)),
  }));
  return { referenceLoss: reference.loss, loss: candidate.loss, variables, runningStatistics };
}

/**
 * Lists each difference above {@linkcode STEP_TOLERANCES}, and each variable
 * that did not change on cpu, because a zero update would make its comparison
 * vacuous.
 *
 * @returns One line per violation, none when the step matches.
 */
export function findToleranceViolations(comparison: StepComparison): string[] {
  const violations: string[] = [];
  const { loss, referenceLoss } = comparison;
  if (!Number.isFinite(loss) || !(Math.abs(loss - referenceLoss) <= STEP_TOLERANCES.loss)) {
    violations.push(`loss ${loss}, cpu ${referenceLoss}: differs by more than ${STEP_TOLERANCES.loss}`);
  }
  for (const { name, maxUpdate, maxDifference } of comparison.variables) {
    if (!(maxUpdate > 0)) {
      violations.push(`${name}: no update on cpu, so the comparison proves nothing`);
    } else if (!(maxDifference <= STEP_TOLERANCES.relativeUpdate * maxUpdate)) {
      violations.push(
        `${name}: updates differ by up to ${maxDifference}, ${maxDifference / maxUpdate} of the largest ` +
          `update ${maxUpdate} (allowed ${STEP_TOLERANCES.relativeUpdate})`,
      );
    }
  }
  for (const { name, maxValue, maxDifference } of comparison.runningStatistics) {
    if (!(maxDifference <= STEP_TOLERANCES.runningStatistic * Math.max(1, maxValue))) {
      violations.push(`running statistic ${name} differs by up to ${maxDifference}`);
    }
  }
  return violations;
}

function maxAbs(values: Float32Array): number {
  return values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
}

function maxAbsDifference(
  name: string,
  reference: Float32Array,
  candidate: Float32Array | undefined,
): number {
  if (candidate === undefined || candidate.length !== reference.length) {
    throw new Error(
      `${name} has ${reference.length} values on cpu and ${
        candidate?.length ?? "no"
      } values on the other backend`,
    );
  }
  return reference.reduce((max, value, i) => Math.max(max, Math.abs(value - candidate[i])), 0);
}

/** Output of the script: the comparison, the timings and the verdict. */
export interface StepCheckReport {
  backend: BackendName;
  device: string | null;
  options: StepCheckOptions;
  cpuSeconds: number;
  seconds: number;
  comparison: StepComparison;
  violations: string[];
}

/** Runs the step on cpu, then on `backend`, and compares them. */
export async function checkBackendStep(
  backend: BackendName,
  options: StepCheckOptions = DEFAULT_STEP_CHECK,
): Promise<StepCheckReport> {
  await selectBackend("cpu");
  const reference = await runTrainingStep(options);
  const choice = await selectBackend(backend);
  const candidate = await runTrainingStep(options);
  const comparison = compareSteps(reference, candidate);
  return {
    backend,
    device: choice.device ?? null,
    options,
    cpuSeconds: reference.seconds,
    seconds: candidate.seconds,
    comparison,
    violations: findToleranceViolations(comparison),
  };
}

const USAGE = `Usage: deno run --allow-all engine/gpu_step_check.ts [--backend NAME] [--side PX] [--stem NAME]

Trains one ResNet-18 step (batch 4, width 0.125) on cpu and on the backend,
prints the differences as JSON and exits with 1 when one is above tolerance.

Options:
  --backend NAME   backend to check against cpu (default: webgpu)
  --side PX        image side in pixels, 8 to 64 (default: 16)
  --stem NAME      cifar, or imagenet (7x7 conv and max-pool; side 32 or more)
                   (default: cifar)
`;

async function main(args: string[]): Promise<number> {
  let backend: BackendName;
  let options: StepCheckOptions;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        backend: { type: "string", default: "webgpu" },
        side: { type: "string", default: String(DEFAULT_STEP_CHECK.side) },
        stem: { type: "string", default: "cifar" },
      },
    });
    backend = parseBackendName(values.backend!);
    const side = Number(values.side);
    if (!Number.isInteger(side) || side < 8 || side > 64) {
      throw new Error(`Invalid --side "${values.side}": expected an integer from 8 to 64.`);
    }
    if (values.stem !== "cifar" && values.stem !== "imagenet") {
      throw new Error(`Invalid --stem "${values.stem}": expected cifar or imagenet.`);
    }
    options = { ...DEFAULT_STEP_CHECK, side, stem: values.stem };
  } catch (error) {
    console.error(`gpu_step_check: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  let report: StepCheckReport;
  try {
    report = await checkBackendStep(backend, options);
  } catch (error) {
    console.error(`gpu_step_check: ${(error as Error).message}`);
    return 2;
  }
  console.log(JSON.stringify(report));
  for (const violation of report.violations) console.error(`gpu_step_check: ${violation}`);
  return report.violations.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
