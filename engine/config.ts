/**
 * The resolved configuration of one training run, its defaults, and the run id
 * derived from it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { describeMethodOptions, type MethodOptions, methodOptionsReadBy } from "../methods/options.ts";
import type { StemName } from "./resnet.ts";

/** Harness settings that every run of a bench matrix shares. */
export interface TrainingSettings {
  epochs: number;
  batchSize: number;
  /** Peak learning rate of SGD at the end of warm-up. */
  learningRate: number;
  /** Epochs of linear learning-rate warm-up. */
  warmupEpochs: number;
  momentum: number;
  /** L2 weight decay on conv and dense kernels. */
  weightDecay: number;
  /** ResNet-18 channel multiplier. */
  width: number;
  /** Image side in pixels after decoding. */
  side: number;
  stem: StemName;
  /** Training images kept per class (the first ones in file order); 0 keeps all. */
  trainPerClass: number;
  /** Zero padding in pixels of the standard random crop. */
  cropPadding: number;
  /** Batch size of evaluation passes. */
  evalBatchSize: number;
}

/** Everything that determines a run's result, stored as `config.json` beside it. */
export interface RunConfig extends TrainingSettings {
  method: string;
  /** Dataset as given to `--dataset`: `embedded`, or a folder. */
  dataset: string;
  seed: number;
  methodOptions: MethodOptions;
}

/** Training defaults of `deno task bench`, sized for a 2-core CPU on the embedded subset. */
export const DEFAULT_TRAINING = {
  epochs: 15,
  batchSize: 128,
  learningRate: 0.1,
  warmupEpochs: 1,
  momentum: 0.9,
  weightDecay: 5e-4,
  width: 0.25,
  side: 32,
  trainPerClass: 0,
  evalBatchSize: 500,
} as const;

/**
 * Returns a run id: method, dataset name, seed and a short hash of the whole
 * configuration, so two runs share an id only when every setting matches.
 */
export function runIdOf(config: RunConfig, datasetName: string): string {
  const hash = configHashOf(config).slice(0, 10);
  const safeDataset = datasetName.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `${methodNameForRunId(config.method)}__${safeDataset}__seed${config.seed}__${hash}`;
}

/**
 * Returns the SHA-256 of the configuration as 64 hex digits. Method options
 * that the run's method does not read are left out, so they do not change it.
 */
export function configHashOf(config: RunConfig): string {
  const hashed = { ...config, methodOptions: methodOptionsReadBy(config.method, config.methodOptions) };
  return createHash("sha256").update(stableStringify(hashed)).digest("hex");
}

/**
 * Returns the form of a method name used in run ids and folder names:
 * `randaugment+mi_adaptive` becomes `randaugment-plus-mi_adaptive`. Registered
 * names contain no `-`, so the mapping cannot make two names equal.
 */
export function methodNameForRunId(name: string): string {
  return name.replaceAll("+", "-plus-");
}

/** JSON with object keys sorted at every level, so equal configurations hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableStringify(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** One-line summary of the settings that a results table shows beside each row. */
export function summarizeConfig(config: RunConfig, trainImages: number): string {
  return [
    summarizeHarness(config, trainImages),
    ...describeMethodOptions(config.method, config.methodOptions),
  ]
    .join(", ");
}

/**
 * One-line summary of the settings that every method of a comparison shares: the
 * model, the data and the training schedule, without the method's own options.
 */
export function summarizeHarness(config: RunConfig, trainImages: number): string {
  return [
    `ResNet-18 width ${config.width}`,
    `${config.side} px`,
    `${trainImages} train images`,
    `${config.epochs} ${config.epochs === 1 ? "epoch" : "epochs"}`,
    `batch ${config.batchSize}`,
    `lr ${config.learningRate}`,
  ].join(", ");
}
