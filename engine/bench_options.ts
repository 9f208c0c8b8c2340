/**
 * Command-line options of `deno task bench`, parsed into a plan of runs.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { EMBEDDED_SPEC } from "../datasets/mod.ts";
import { DISTORTION_NAMES, type DistortionName } from "../distortions/mod.ts";
import {
  DEFAULT_METHOD_OPTIONS,
  MAX_RANDAUGMENT_MAGNITUDE,
  type MethodOptions,
  validateMethodOptions,
} from "../methods/options.ts";
import { listAllMethods, listMethodsWithRole, parseMethodList } from "../methods/registry.ts";
import { MAX_NMI_BINS_OPTION } from "../nmi/nmi.ts";
import { defaultWorkerCount, type PipelineOptions } from "../pipeline/mod.ts";
import { type BackendName, parseBackendName } from "./backend.ts";
import { DEFAULT_TRAINING, type TrainingSettings } from "./config.ts";
import { defaultCropPadding } from "./augment.ts";
import { defaultStem, validateResNetOptions } from "./resnet.ts";
import type { RobustnessPlan } from "./robustness.ts";
import { parseRobustnessPlan, ROBUSTNESS_USAGE } from "./robustness_options.ts";
import { canonicalDatasetSpec, resolveUserPath } from "./user_paths.ts";
import {
  integerInRange,
  nonNegativeInteger,
  nonNegativeNumber,
  number,
  positiveInteger,
  positiveNumber,
} from "./option_values.ts";
import { parseShard, type Shard } from "./shard.ts";

/** Everything `bench` needs to run its matrix. */
export interface BenchPlan {
  methods: string[];
  seeds: number[];
  dataset: string;
  resultsRoot: string;
  backend?: BackendName;
  force: boolean;
  /** The share of the matrix this process runs; absent for all of it. */
  shard?: Shard;
  cacheDir?: string;
  /** Whether image files that fail to decode are left out instead of stopping the bench; default false. */
  skipBadImages?: boolean;
  /** Whether the training images of an image folder are read from the decode cache per batch. */
  stream: boolean | "auto";
  /** Settings shared by every run of the matrix (method and seed are filled per run). */
  training: TrainingSettings;
  methodOptions: MethodOptions;
  /** Degraded validation copies that every finished run is evaluated on. */
  robustness: RobustnessPlan;
  /** Batch preparation settings, which change the speed but never the batches. */
  pipeline: PipelineOptions;
}

/** Breaks help text into lines of at most 110 characters, indented to the description column. */
function wrapOptionText(text: string): string {
  const indent = " ".repeat(30);
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line.length > 0 && indent.length + line.length + 1 + word.length > 110) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line.length === 0 ? word : `${line} ${word}`;
    }
  }
  lines.push(indent + line);
  return lines.join("\n");
}

const METHOD_HELP = wrapOptionText(
  `all runs ${listAllMethods().join(", ")}. AUGMENTATION+RULE combines an augmentation ` +
    `(${listMethodsWithRole("augmentation").join(", ")}) with a target rule ` +
    `(${listMethodsWithRole("target_rule").join(", ")}), for example randaugment+mi_adaptive.`,
);

/** Smallest image side: the CIFAR stem's stride-8 output needs 8 px. */
const MIN_SIDE = 8;
/** Largest image side that the decoder accepts. */
const MAX_SIDE = 4096;
/** Largest worker count, because each worker keeps its own copy of the method and a few batches. */
const MAX_WORKERS = 64;
/** Most batches prepared ahead. */
const MAX_PREFETCH = 1024;
/** Largest width multiplier; width 8 already gives 4,096 channels in the last stage. */
const MAX_WIDTH = 8;

/** Help text of `deno task bench`. */
export const BENCH_USAGE = `Usage: deno task bench [options]

Trains ResNet-18 once per (method, seed) and writes results/<run-id>/.
Finished runs with the same configuration are skipped unless --force. A run
interrupted earlier resumes from its last checkpoint (written every epoch).

Options:
  --method LIST               methods, comma-separated, or all (default: hard,distort_hard,mi_adaptive)
${METHOD_HELP}
  --dataset SPEC              embedded (default: the CIFAR-10 subset in data/cifar10-small),
                              an image folder with train/ and val/, or a CIFAR binary folder
  --seeds LIST                seeds, comma-separated integers (default: 0)
  --epochs N                  training epochs (default: ${DEFAULT_TRAINING.epochs})
  --batch-size N              images per optimizer step (default: ${DEFAULT_TRAINING.batchSize})
  --lr X                      peak SGD learning rate (default: ${DEFAULT_TRAINING.learningRate})
  --warmup-epochs X           epochs of linear warm-up (default: ${DEFAULT_TRAINING.warmupEpochs})
  --weight-decay X            L2 decay on conv and dense kernels (default: ${DEFAULT_TRAINING.weightDecay})
  --width X                   ResNet-18 channel multiplier (default: ${DEFAULT_TRAINING.width})
  --side N                    image side in pixels after decoding (default: ${DEFAULT_TRAINING.side})
  --train-per-class N         keep the first N training images per class, 0 for all (default: 0)
  --backend NAME              tensorflow-gpu, webgpu, tensorflow, wasm or cpu (default: the first that
                              starts, in that order; the GPU ones only where a GPU is found)
  --smoothing-convention C    k-1 (default) or k, for mi_adaptive and label_smoothing
  --distortion-probability P  probability of distorting a training image (default: 1)
  --distortions LIST          distortions to draw from (default: ${DISTORTION_NAMES.join(",")})
  --nmi-bins N                histogram bins per channel for the NMI (default: 64)
  --confidence M              what mi_adaptive measures for epsilon = min(0.9, 1 - confidence): nmi (default),
                              ssim (clamped to [0, 1]) or psnr (10 to 40 dB mapped to 0 to 1), for ablations
  --blur-sigma-scale S        side (default: sigma = 50 d px at 224 px, scaled with the image side)
                              or absolute (sigma = 50 d px at any side)
  --ls-epsilon X              fixed epsilon of label_smoothing, in [0, 1) (default: ${DEFAULT_METHOD_OPTIONS.labelSmoothingEpsilon})
  --mixup-alpha X             mixup lambda ~ Beta(X, X), X > 0 (default: ${DEFAULT_METHOD_OPTIONS.mixupAlpha})
  --cutmix-alpha X            CutMix lambda ~ Beta(X, X), X > 0 (default: ${DEFAULT_METHOD_OPTIONS.cutmixAlpha})
  --randaugment-n N           RandAugment operations per image (default: ${DEFAULT_METHOD_OPTIONS.randAugmentNumOps})
  --randaugment-m M           RandAugment magnitude index, an integer in [0, 30] (default: ${DEFAULT_METHOD_OPTIONS.randAugmentMagnitude})
${ROBUSTNESS_USAGE}
  --workers N                 workers that prepare batches while the model trains, 0 for none: the
                              training thread prepares each batch between steps (default: half the
                              logical cores, 1 to 8; ${defaultWorkerCount()} here)
  --prefetch N                batches prepared ahead of the training step (default: 2 per worker)
  --results DIR               results folder (default: results)
  --cache-dir DIR             decoded-image cache (default: $XDG_CACHE_HOME/mials/decoded,
                              or ~/.cache/mials/decoded without XDG_CACHE_HOME)
  --stream WHEN               on: read the training images of an image folder from the decoded-image
                              cache for each batch instead of holding them in memory; off; or auto
                              (default): on when they would take more than a quarter of the memory
  --skip-bad-images           leave out image files that fail to decode, with a warning listing them,
                              instead of stopping before training with that list
  --force                     rerun finished runs and start interrupted ones over
  --shard I/N                 run only shard I of N (1 <= I <= N): the runs at 0-based positions p
                              with p % N = I - 1 in matrix order (methods outer, seeds inner)
  -h, --help                  print this help
`;

/**
 * Parses `bench` arguments.
 *
 * @throws {Error} naming the option and value when one is unknown or invalid.
 */
export function parseBenchOptions(args: string[]): BenchPlan | "help" {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      method: { type: "string", default: "hard,distort_hard,mi_adaptive" },
      dataset: { type: "string", default: "embedded" },
      seeds: { type: "string", default: "0" },
      epochs: { type: "string" },
      "batch-size": { type: "string" },
      lr: { type: "string" },
      "warmup-epochs": { type: "string" },
      "weight-decay": { type: "string" },
      width: { type: "string" },
      side: { type: "string" },
      "train-per-class": { type: "string" },
      backend: { type: "string" },
      "smoothing-convention": { type: "string" },
      "distortion-probability": { type: "string" },
      distortions: { type: "string" },
      "nmi-bins": { type: "string" },
      confidence: { type: "string" },
      "blur-sigma-scale": { type: "string" },
      "ls-epsilon": { type: "string" },
      "mixup-alpha": { type: "string" },
      "cutmix-alpha": { type: "string" },
      "randaugment-n": { type: "string" },
      "randaugment-m": { type: "string" },
      corruptions: { type: "string" },
      "distortion-levels": { type: "string" },
      "robustness-per-class": { type: "string" },
      workers: { type: "string" },
      prefetch: { type: "string" },
      results: { type: "string", default: "results" },
      "cache-dir": { type: "string" },
      stream: { type: "string", default: "auto" },
      "skip-bad-images": { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      shard: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const side = values.side === undefined
    ? DEFAULT_TRAINING.side
    : integerInRange("--side", values.side, MIN_SIDE, MAX_SIDE);
  const methodOptions: MethodOptions = {
    ...DEFAULT_METHOD_OPTIONS,
    smoothingConvention:
      (values["smoothing-convention"] ?? DEFAULT_METHOD_OPTIONS.smoothingConvention) as MethodOptions[
        "smoothingConvention"
      ],
    distortionProbability: number("--distortion-probability", values["distortion-probability"], 1),
    distortions: values.distortions === undefined
      ? [...DISTORTION_NAMES]
      : values.distortions.split(",").map((name) => name.trim()) as DistortionName[],
    nmiBins: values["nmi-bins"] === undefined
      ? DEFAULT_METHOD_OPTIONS.nmiBins
      : integerInRange("--nmi-bins", values["nmi-bins"], 2, MAX_NMI_BINS_OPTION),
    blurSigmaScale: (values["blur-sigma-scale"] ?? "side") as MethodOptions["blurSigmaScale"],
    confidence: (values.confidence ?? DEFAULT_METHOD_OPTIONS.confidence) as MethodOptions["confidence"],
    ...parseBaselineOptions(values),
  };
  if (methodOptions.blurSigmaScale !== "side" && methodOptions.blurSigmaScale !== "absolute") {
    throw new Error(`Invalid --blur-sigma-scale "${methodOptions.blurSigmaScale}"; use side or absolute.`);
  }
  validateMethodOptions(methodOptions);
  const width = positiveNumber("--width", values.width, DEFAULT_TRAINING.width);
  if (width > MAX_WIDTH) {
    throw new Error(`Invalid --width "${values.width}": expected a number up to ${MAX_WIDTH}.`);
  }
  validateResNetOptions({ numClasses: 2, width, imageSide: side, stem: defaultStem(side), seed: 0 });
  return {
    methods: parseMethodList(values.method!),
    seeds: parseSeeds(values.seeds!),
    dataset: canonicalDatasetSpec(values.dataset!, EMBEDDED_SPEC),
    resultsRoot: resolveUserPath(nonEmptyPath("--results", values.results!)),
    backend: values.backend === undefined ? undefined : parseBackendName(values.backend),
    force: values.force!,
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    cacheDir: values["cache-dir"] === undefined
      ? undefined
      : resolveUserPath(nonEmptyPath("--cache-dir", values["cache-dir"])),
    stream: parseStream(values.stream!),
    skipBadImages: values["skip-bad-images"]!,
    training: {
      epochs: positiveInteger("--epochs", values.epochs, DEFAULT_TRAINING.epochs),
      batchSize: positiveInteger("--batch-size", values["batch-size"], DEFAULT_TRAINING.batchSize),
      learningRate: positiveNumber("--lr", values.lr, DEFAULT_TRAINING.learningRate),
      warmupEpochs: nonNegativeNumber(
        "--warmup-epochs",
        values["warmup-epochs"],
        DEFAULT_TRAINING.warmupEpochs,
      ),
      momentum: DEFAULT_TRAINING.momentum,
      weightDecay: nonNegativeNumber("--weight-decay", values["weight-decay"], DEFAULT_TRAINING.weightDecay),
      width,
      side,
      stem: defaultStem(side),
      trainPerClass: nonNegativeInteger("--train-per-class", values["train-per-class"], 0),
      cropPadding: defaultCropPadding(side),
      evalBatchSize: DEFAULT_TRAINING.evalBatchSize,
    },
    methodOptions,
    robustness: parseRobustnessPlan(
      values.corruptions,
      values["distortion-levels"],
      values["robustness-per-class"],
    ),
    pipeline: parsePipelineOptions(values.workers, values.prefetch),
  };
}

function nonEmptyPath(option: string, value: string): string {
  if (value.trim() === "") throw new Error(`Invalid ${option} "${value}": expected a folder path.`);
  return value;
}

function parseStream(value: string): boolean | "auto" {
  if (value === "auto") return "auto";
  if (value === "on" || value === "off") return value === "on";
  throw new Error(`Invalid --stream "${value}": expected on, off or auto.`);
}

/** Parses `--workers` and `--prefetch`. */
function parsePipelineOptions(
  workersText: string | undefined,
  prefetchText: string | undefined,
): PipelineOptions {
  const workers = workersText === undefined
    ? defaultWorkerCount()
    : integerInRange("--workers", workersText, 0, MAX_WORKERS);
  if (prefetchText === undefined) return { workers };
  if (workers === 0) {
    throw new Error(`--prefetch ${prefetchText} needs workers; drop it or set --workers to 1 or more.`);
  }
  return { workers, prefetch: integerInRange("--prefetch", prefetchText, 1, MAX_PREFETCH) };
}

type BaselineOptions = Pick<
  MethodOptions,
  "labelSmoothingEpsilon" | "mixupAlpha" | "cutmixAlpha" | "randAugmentNumOps" | "randAugmentMagnitude"
>;

/** Parses the options of label_smoothing, mixup, cutmix and randaugment, checking each range. */
function parseBaselineOptions(values: Record<string, string | boolean | undefined>): BaselineOptions {
  const text = (name: string) => values[name] as string | undefined;
  const defaults = DEFAULT_METHOD_OPTIONS;
  const epsilon = number("--ls-epsilon", text("ls-epsilon"), defaults.labelSmoothingEpsilon);
  if (!(epsilon >= 0 && epsilon < 1)) {
    throw new Error(`Invalid --ls-epsilon "${text("ls-epsilon")}": expected a number in [0, 1).`);
  }
  const magnitude = nonNegativeInteger(
    "--randaugment-m",
    text("randaugment-m"),
    defaults.randAugmentMagnitude,
  );
  if (magnitude > MAX_RANDAUGMENT_MAGNITUDE) {
    const given = text("randaugment-m");
    throw new Error(
      `Invalid --randaugment-m "${given}": expected an integer in [0, ${MAX_RANDAUGMENT_MAGNITUDE}].`,
    );
  }
  return {
    labelSmoothingEpsilon: epsilon,
    mixupAlpha: positiveNumber("--mixup-alpha", text("mixup-alpha"), defaults.mixupAlpha),
    cutmixAlpha: positiveNumber("--cutmix-alpha", text("cutmix-alpha"), defaults.cutmixAlpha),
    randAugmentNumOps: nonNegativeInteger(
      "--randaugment-n",
      text("randaugment-n"),
      defaults.randAugmentNumOps,
    ),
    randAugmentMagnitude: magnitude,
  };
}

/** Largest seed: the generator mixes seeds as unsigned 32-bit integers, so larger ones would repeat smaller ones. */
const MAX_SEED = 2 ** 32 - 1;

function parseSeeds(value: string): number[] {
  const seeds = value.split(",").map((seed) => seed.trim());
  return [...new Set(seeds.map((seed) => integerInRange("--seeds", seed, 0, MAX_SEED)))];
}
