/**
 * Text output of `deno task perf`, with its targets checked: `mi_adaptive` within 5%
 * of `distort_hard`, under 5% of an epoch waiting on data, and tfjs at 0.9 or more of
 * PyTorch's throughput at width 1.
 *
 * @module
 */
import { median } from "../reports/statistics.ts";
import type { EpochTiming } from "./perf.ts";
import type { TorchResult, TorchRound } from "./step_timing.ts";

/** Largest ratio of `mi_adaptive`'s epoch time to `distort_hard`'s that meets the target. */
export const MAX_SOFT_LABEL_OVERHEAD = 1.05;

/** Largest share of an epoch spent waiting on batch preparation that meets the target. */
export const MAX_DATA_SHARE = 0.05;

/**
 * Minimum steps per epoch for a data share without a note. Below it, the wait for each
 * epoch's first batch, which no prefetching hides, dominates the share.
 */
export const MIN_STEPS_FOR_DATA_SHARE = 4;

/** Smallest tfjs / PyTorch throughput ratio at width 1 that meets the target. */
export const MIN_TORCH_RATIO = 0.9;

/** One width of the PyTorch comparison, over one or more rounds. */
export interface TorchComparison {
  width: number;
  /** Median over the rounds. */
  tfjsImagesPerSecond: number;
  /** PyTorch's result with the median images/s over the rounds, or why it was skipped. */
  torch: TorchResult;
  /** tfjs / PyTorch of each round, in order; empty when PyTorch was skipped. */
  ratios: number[];
  /** Median of `ratios`, the figure the target is checked on; absent when PyTorch was skipped. */
  ratio?: number;
}

/**
 * Summarizes the rounds of one width. The ratio that counts is the median of the
 * rounds' ratios, because each round times both libraries one after the other.
 *
 * @throws {RangeError} without rounds.
 */
export function summarizeTorchRounds(width: number, rounds: readonly TorchRound[]): TorchComparison {
  if (rounds.length === 0) throw new RangeError(`summarizeTorchRounds: no rounds for width ${width}`);
  const tfjsImagesPerSecond = median(rounds.map((round) => round.tfjsImagesPerSecond));
  const measured = rounds.flatMap((round) => round.torch.status === "measured" ? [round.torch] : []);
  if (measured.length < rounds.length) {
    const skipped = rounds.find((round) => round.torch.status === "skipped")!;
    return { width, tfjsImagesPerSecond, torch: skipped.torch, ratios: [] };
  }
  const torch = { ...measured[0], imagesPerSecond: median(measured.map((result) => result.imagesPerSecond)) };
  const ratios = rounds.map((round, i) => round.tfjsImagesPerSecond / measured[i].imagesPerSecond);
  return { width, tfjsImagesPerSecond, torch, ratios, ratio: median(ratios) };
}

/** Returns `mi_adaptive`'s epoch step time divided by `distort_hard`'s, or undefined when one is missing. */
export function softLabelOverhead(timings: readonly EpochTiming[]): number | undefined {
  const mi = timings.find((timing) => timing.method === "mi_adaptive");
  const distort = timings.find((timing) => timing.method === "distort_hard");
  if (mi === undefined || distort === undefined) return undefined;
  return mi.stepSeconds / distort.stepSeconds;
}

function verdict(met: boolean): string {
  return met ? "met" : "not met";
}

/** Formats the epoch timings as a table followed by the two targets. */
export function formatEpochTimings(timings: readonly EpochTiming[]): string {
  const lines = ["method         images/s   step s   data s   data share"];
  for (const timing of timings) {
    const share = timing.dataSeconds / timing.stepSeconds;
    lines.push(
      `${timing.method.padEnd(13)} ${timing.imagesPerSecond.toFixed(1).padStart(9)} ` +
        `${timing.stepSeconds.toFixed(1).padStart(8)} ${timing.dataSeconds.toFixed(2).padStart(8)} ` +
        `${(100 * share).toFixed(1).padStart(10)}%`,
    );
  }
  const overhead = softLabelOverhead(timings);
  if (overhead !== undefined) {
    lines.push(
      `mi_adaptive / distort_hard epoch time: ${overhead.toFixed(3)} ` +
        `(target <= ${MAX_SOFT_LABEL_OVERHEAD}: ${verdict(overhead <= MAX_SOFT_LABEL_OVERHEAD)})`,
    );
  }
  const worstShare = Math.max(...timings.map((timing) => timing.dataSeconds / timing.stepSeconds));
  lines.push(
    `largest share of an epoch waiting on data: ${(100 * worstShare).toFixed(1)}% ` +
      `(target < ${100 * MAX_DATA_SHARE}%: ${verdict(worstShare < MAX_DATA_SHARE)})`,
  );
  const fewestSteps = Math.min(...timings.map((timing) => timing.steps));
  if (fewestSteps < MIN_STEPS_FOR_DATA_SHARE) {
    lines.push(
      `note: an epoch had only ${fewestSteps} step${fewestSteps === 1 ? "" : "s"}. The model waits for ` +
        "the first batch of every epoch, so the share overstates that of longer epochs; " +
        "train on more images (--train-per-class) to check the data target",
    );
  }
  return lines.join("\n");
}

/**
 * Formats the PyTorch comparison, one line per width with the median ratio and,
 * over several rounds, each round's ratio, then the width-1 target.
 */
export function formatTorchComparisons(comparisons: readonly TorchComparison[]): string {
  const lines = [
    "width   tfjs images/s   PyTorch images/s   tfjs / PyTorch",
    "        (median of the rounds of each column; the ratio is the median of the rounds' ratios)",
  ];
  for (const { width, tfjsImagesPerSecond, torch, ratios, ratio } of comparisons) {
    const torchCell = torch.status === "measured" ? torch.imagesPerSecond.toFixed(1) : "skipped";
    const ratioCell = ratio === undefined ? "-" : ratio.toFixed(3);
    const rounds = ratios.length > 1
      ? `   rounds: ${ratios.map((value) => value.toFixed(3)).join(", ")}`
      : "";
    lines.push(
      `${String(width).padEnd(5)} ${tfjsImagesPerSecond.toFixed(1).padStart(15)} ${torchCell.padStart(18)} ` +
        `${ratioCell.padStart(16)}${rounds}`,
    );
  }
  const skipped = comparisons.find((comparison) => comparison.torch.status === "skipped");
  if (skipped !== undefined && skipped.torch.status === "skipped") {
    lines.push(`PyTorch skipped: ${skipped.torch.reason}`);
  }
  const full = comparisons.find((comparison) => comparison.width === 1 && comparison.ratio !== undefined);
  if (full?.ratio !== undefined) {
    const ratio = full.ratio;
    const over = full.ratios.length > 1 ? `, median of ${full.ratios.length} rounds` : "";
    lines.push(
      `width 1: tfjs / PyTorch ${ratio.toFixed(3)}${over} (target >= ${MIN_TORCH_RATIO}: ${
        verdict(ratio >= MIN_TORCH_RATIO)
      })`,
    );
  }
  return lines.join("\n");
}
