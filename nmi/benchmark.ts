/**
 * `deno task nmi-bench`: throughput of the NMI kernel against the plain reference
 * implementation, single-threaded, at 32 x 32 and 224 x 224 pixels.
 *
 * `--quick` makes it a regression check for CI: shorter timing, and exit code 1 when
 * the kernel's result differs from the reference's by more than 1e-9 on any checked
 * image pair or when a speedup is below {@linkcode MIN_QUICK_SPEEDUP}.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Random } from "../engine/random.ts";
import { median } from "../reports/statistics.ts";
import { referenceNmi } from "../tests/nmi_reference.ts";
import {
  availableNmiKernels,
  DEFAULT_NMI_BINS,
  defaultNmiKernel,
  MAX_NMI_BINS_OPTION,
  NMI_KERNELS,
  type NmiKernel,
  nmiKernelUnavailableReason,
  nmiPass,
  normalizedMutualInformation,
} from "./nmi.ts";
import { describeMachine, formatJsonReport, formatTextReport } from "./_benchmark_report.ts";

/** Image sides timed, in pixels. */
export const BENCH_SIDES = [32, 224] as const;

/** Smallest speedup that `--quick` accepts at each size. */
export const MIN_QUICK_SPEEDUP = 2;

/** Largest difference between kernel and reference that the agreement check accepts. */
export const AGREEMENT_TOLERANCE = 1e-9;

/** Image pairs timed per size; the timing loop cycles through them. */
const PAIRS_PER_SIZE = 4;

/** Standard deviation of the Gaussian noise that makes the degraded images. */
const DEGRADATION_STD = 0.1;

/** Help text of `deno task nmi-bench`. */
export const NMI_BENCH_USAGE = `Usage: deno task nmi-bench [--json] [--quick] [--bins N] [--kernel K]

Times the NMI kernel (nmi/nmi.ts) against the plain reference (tests/nmi_reference.ts)
on seeded noise images of 32 x 32 and 224 x 224 pixels, on one thread, and prints
images/s and the speedup per size.

Options:
  --json      print one JSON object with a "results" array instead of a table
  --quick     CI regression check: first compare the results of each kernel that
              runs here with the reference's on a few image pairs per size
              (tolerance 1e-9), then time briefly; exit code 1 when a result differs or a speedup is below ${MIN_QUICK_SPEEDUP}
  --bins N    histogram bins per channel, an integer in [2, ${MAX_NMI_BINS_OPTION}] (default: ${DEFAULT_NMI_BINS})
  --kernel K  pixel pass to time: native (compiled C), wasm (WebAssembly SIMD)
              or typescript (default: the first of these that runs here)
  -h, --help  print this help`;

/** Parsed `nmi-bench` options. */
export interface NmiBenchOptions {
  json: boolean;
  quick: boolean;
  /** Histogram bins per channel. */
  bins: number;
  /** The kernel's pixel pass that is timed. */
  kernel: NmiKernel;
  help: boolean;
}

/** Timing of one side (reference or kernel) at one size. */
export interface TimingSettings {
  /** Time spent running both sides before measuring, in ms. */
  warmupMs: number;
  /** Minimum duration of one measurement, in ms. */
  minDurationMs: number;
  /** Measurements per side; the median is reported. */
  repeats: number;
}

/** Timing of a full run: five measurements of at least 500 ms per side and size. */
export const FULL_TIMING: TimingSettings = { warmupMs: 300, minDurationMs: 500, repeats: 5 };

/** Timing of `--quick`: three measurements of at least 100 ms per side and size. */
export const QUICK_TIMING: TimingSettings = { warmupMs: 100, minDurationMs: 100, repeats: 3 };

/** Throughput at one image size, with the keys of the JSON output. */
export interface SizeResult {
  /** Image side in pixels; images are side x side x 3. */
  side: number;
  /** Median throughput of the reference, in images per second. */
  reference_images_per_s: number;
  /** Median throughput of the kernel, in images per second. */
  kernel_images_per_s: number;
  /** kernel_images_per_s / reference_images_per_s. */
  speedup: number;
}

/** A clean image and its degraded copy, both [side, side, 3] in HWC order. */
export interface ImagePair {
  clean: Float32Array;
  degraded: Float32Array;
}

/** An NMI function of one image pair, with the reference's signature and the kernel's pixel pass, which the reference ignores. */
export type NmiFunction = (
  clean: Float32Array,
  degraded: Float32Array,
  bins: number,
  kernel?: NmiKernel,
) => number;

/** Clock, NMI functions, output and machine facts of {@linkcode runNmiBench}, which tests replace. */
export interface NmiBenchEnvironment {
  /** Current time in ms. */
  clock: () => number;
  reference: NmiFunction;
  kernel: NmiFunction;
  /** Writes a line of the report to stdout. */
  print: (line: string) => void;
  /** Writes an error or a failed check to stderr. */
  printError: (line: string) => void;
  /** Returns the facts about this machine for the report. */
  machine: () => Promise<Record<string, string | number>>;
}

const DEFAULT_ENVIRONMENT: NmiBenchEnvironment = {
  clock: () => performance.now(),
  reference: referenceNmi,
  kernel: (clean, degraded, bins, kernel) => normalizedMutualInformation(clean, degraded, { bins, kernel }),
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
  machine: describeMachine,
};

/** Returns a clearer message for the parseArgs errors that users hit most. */
function describeParseError(error: Error): string {
  const code = (error as Error & { code?: string }).code;
  const argument = /'([^']*)'/.exec(error.message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `Unknown option "${argument}". nmi-bench accepts --json, --quick, --bins N, --kernel K and --help.`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return `Unexpected argument "${argument}". nmi-bench takes only options: --json, --quick, --bins N, --kernel K, --help.`;
  }
  return error.message;
}

/**
 * Parses `nmi-bench` arguments.
 *
 * @throws {Error} naming the option or value when one is unknown or invalid.
 */
export function parseNmiBenchOptions(args: string[]): NmiBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: "boolean", default: false },
        quick: { type: "boolean", default: false },
        bins: { type: "string" },
        kernel: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new Error(describeParseError(error as Error));
  }
  const bins = values.bins === undefined
    ? DEFAULT_NMI_BINS
    : /^[0-9]+$/.test(values.bins)
    ? Number(values.bins)
    : NaN;
  if (!Number.isInteger(bins) || bins < 2 || bins > MAX_NMI_BINS_OPTION) {
    throw new Error(`Invalid --bins "${values.bins}". Use an integer in [2, ${MAX_NMI_BINS_OPTION}].`);
  }
  const kernel = values.kernel ?? defaultNmiKernel();
  if (!NMI_KERNELS.includes(kernel as NmiKernel)) {
    throw new Error(
      `Invalid --kernel "${kernel}". Use ${NMI_KERNELS.slice(0, -1).join(", ")} or ${NMI_KERNELS.at(-1)}.`,
    );
  }
  const unavailable = nmiKernelUnavailableReason(kernel as NmiKernel);
  if (unavailable !== undefined) {
    const other = availableNmiKernels()[0];
    throw new Error(`--kernel ${kernel} cannot run here: ${unavailable}, or pass --kernel ${other}.`);
  }
  return { json: values.json, quick: values.quick, bins, kernel: kernel as NmiKernel, help: values.help };
}

/**
 * Returns `count` seeded image pairs of side x side pixels: clean values i.i.d.
 * U(0, 1), degraded = clean + N(0, 0.1^2) noise clamped to [0, 1].
 */
export function benchmarkImages(side: number, count: number, seed: number): ImagePair[] {
  const random = new Random(seed, side);
  const pairs: ImagePair[] = [];
  for (let n = 0; n < count; n++) {
    const clean = new Float32Array(side * side * 3);
    const degraded = new Float32Array(clean.length);
    for (let i = 0; i < clean.length; i++) {
      clean[i] = random.uniform();
      degraded[i] = Math.min(1, Math.max(0, clean[i] + DEGRADATION_STD * random.normal()));
    }
    pairs.push({ clean, degraded });
  }
  return pairs;
}

/**
 * Returns a pair whose clean image contains out-of-range values (negative, above 1, NaN,
 * +-Infinity) and values on bin edges, and whose degraded image is a noisy copy.
 */
export function outOfRangeImagePair(side: number, bins: number, seed: number): ImagePair {
  const special = [-0.5, 1.5, NaN, Infinity, -Infinity, 0, 1, 1 / bins, 1 - 1 / bins];
  const [pair] = benchmarkImages(side, 1, seed);
  for (let i = 0; i < pair.clean.length; i += 7) pair.clean[i] = special[(i / 7) % special.length];
  return pair;
}

/**
 * Runs `nmi` over the pairs in turn until at least `minDurationMs` have passed on
 * `clock`, and returns images per second.
 */
export function measureImagesPerSecond(
  nmi: NmiFunction,
  pairs: ImagePair[],
  bins: number,
  minDurationMs: number,
  clock: () => number,
): number {
  let images = 0;
  let checksum = 0;
  const start = clock();
  let elapsed = 0;
  while (elapsed < minDurationMs) {
    for (const pair of pairs) checksum += nmi(pair.clean, pair.degraded, bins);
    images += pairs.length;
    elapsed = clock() - start;
  }
  // Using the sum keeps the calls from being optimized away.
  if (Number.isNaN(checksum)) throw new Error("measureImagesPerSecond: an NMI was NaN");
  return images / (elapsed / 1000);
}

/**
 * Times the reference and the kernel on `pairs`: a warm-up, then `timing.repeats`
 * alternating measurements per side, so that a slowdown of the machine hits both.
 * Returns the medians.
 */
export function compareThroughput(
  side: number,
  pairs: ImagePair[],
  bins: number,
  timing: TimingSettings,
  environment: Pick<NmiBenchEnvironment, "clock" | "reference" | "kernel">,
): SizeResult {
  const { clock, reference, kernel } = environment;
  measureImagesPerSecond(reference, pairs, bins, timing.warmupMs / 2, clock);
  measureImagesPerSecond(kernel, pairs, bins, timing.warmupMs / 2, clock);

  const referenceRates: number[] = [];
  const kernelRates: number[] = [];
  for (let r = 0; r < timing.repeats; r++) {
    referenceRates.push(measureImagesPerSecond(reference, pairs, bins, timing.minDurationMs, clock));
    kernelRates.push(measureImagesPerSecond(kernel, pairs, bins, timing.minDurationMs, clock));
  }
  const referenceRate = median(referenceRates);
  const kernelRate = median(kernelRates);
  return {
    side,
    reference_images_per_s: referenceRate,
    kernel_images_per_s: kernelRate,
    speedup: kernelRate / referenceRate,
  };
}

/**
 * Compares the kernel with the reference on every pair and returns one message per
 * pair where they differ by more than {@linkcode AGREEMENT_TOLERANCE}.
 */
export function findDisagreements(
  side: number,
  pairs: ImagePair[],
  bins: number,
  environment: Pick<NmiBenchEnvironment, "reference" | "kernel">,
  kernel: NmiKernel,
): string[] {
  const messages: string[] = [];
  pairs.forEach((pair, index) => {
    const expected = environment.reference(pair.clean, pair.degraded, bins);
    const actual = environment.kernel(pair.clean, pair.degraded, bins, kernel);
    // The negated test also catches NaN.
    if (!(Math.abs(actual - expected) <= AGREEMENT_TOLERANCE)) {
      messages.push(
        `${kernel} kernel NMI ${actual} differs from reference ${expected} by more than ${AGREEMENT_TOLERANCE} ` +
          `(side ${side}, pair ${index}, ${bins} bins)`,
      );
    }
  });
  return messages;
}

/** Returns one message per size whose speedup is below `minSpeedup`. */
export function findRegressions(results: SizeResult[], minSpeedup: number): string[] {
  return results
    .filter((result) => !(result.speedup >= minSpeedup))
    .map((result) =>
      `speedup ${
        result.speedup.toFixed(2)
      }x at ${result.side} x ${result.side} is below the minimum ${minSpeedup}x ` +
      `(kernel ${result.kernel_images_per_s.toFixed(0)} images/s, reference ${
        result.reference_images_per_s.toFixed(0)
      } images/s)`
    );
}

/** Returns the pairs that the agreement check of `--quick` uses at one size. */
function agreementPairs(side: number, bins: number): ImagePair[] {
  const constant = {
    clean: new Float32Array(side * side * 3).fill(0.25),
    degraded: new Float32Array(side * side * 3).fill(0.75),
  };
  return [...benchmarkImages(side, 2, 1), outOfRangeImagePair(side, bins, 2), constant];
}

/**
 * Runs `deno task nmi-bench` with `args` and returns the process exit code: 0 when
 * done (and, with `--quick`, every check passed), 1 when a `--quick` check failed,
 * 2 for invalid arguments.
 */
export async function runNmiBench(
  args: string[],
  environment: NmiBenchEnvironment = DEFAULT_ENVIRONMENT,
): Promise<number> {
  let options: NmiBenchOptions;
  try {
    options = parseNmiBenchOptions(args);
  } catch (error) {
    environment.printError(
      `nmi-bench: ${(error as Error).message}\nRun \`deno task nmi-bench --help\` for the options.`,
    );
    return 2;
  }
  if (options.help) {
    environment.print(NMI_BENCH_USAGE);
    return 0;
  }

  const failures: string[] = [];
  let checkedPairs = 0;
  // Kernels that cannot run here are named in the report, with the reason.
  const checkedKernels = availableNmiKernels();
  const uncheckedKernels = NMI_KERNELS.flatMap((kernel) => {
    const reason = nmiKernelUnavailableReason(kernel);
    return reason === undefined ? [] : [{ kernel, reason }];
  });
  if (options.quick) {
    for (const side of BENCH_SIDES) {
      const pairs = agreementPairs(side, options.bins);
      checkedPairs += pairs.length;
      for (const kernel of checkedKernels) {
        failures.push(...findDisagreements(side, pairs, options.bins, environment, kernel));
      }
    }
  }

  const timing = options.quick ? QUICK_TIMING : FULL_TIMING;
  const timed: NmiFunction = (clean, degraded, bins) =>
    environment.kernel(clean, degraded, bins, options.kernel);
  const results = BENCH_SIDES.map((side, index) =>
    compareThroughput(
      side,
      benchmarkImages(side, PAIRS_PER_SIZE, 100 + index),
      options.bins,
      timing,
      { ...environment, kernel: timed },
    )
  );
  if (options.quick) failures.push(...findRegressions(results, MIN_QUICK_SPEEDUP));
  const notes = BENCH_SIDES.flatMap((side) => {
    const pass = nmiPass(options.kernel, options.bins, side * side);
    return pass === options.kernel ? [] : [
      `the ${options.kernel} pass does not take ${side} x ${side} images with ${options.bins} bins, so the ${pass} pass ran`,
    ];
  });

  const report = {
    options,
    timing,
    machine: await environment.machine(),
    results,
    checkedPairs,
    checkedKernels,
    uncheckedKernels,
    notes,
    agreementTolerance: AGREEMENT_TOLERANCE,
    failures,
  };
  const lines = options.json ? [formatJsonReport(report)] : formatTextReport(report);
  for (const line of lines) environment.print(line);
  for (const failure of failures) environment.printError(`nmi-bench: FAILED: ${failure}`);
  return failures.length > 0 ? 1 : 0;
}
