/**
 * Machine facts and output formats of `deno task nmi-bench`.
 *
 * @module
 */

import type { NmiBenchOptions, SizeResult, TimingSettings } from "./benchmark.ts";
import type { NmiKernel } from "./nmi.ts";

/** Everything that one `nmi-bench` run reports. */
export interface NmiBenchReport {
  options: NmiBenchOptions;
  timing: TimingSettings;
  machine: Record<string, string | number>;
  results: SizeResult[];
  /** Image pairs compared with the reference before timing; 0 without `--quick`. */
  checkedPairs: number;
  /** The kernels whose results were compared with the reference. */
  checkedKernels: readonly NmiKernel[];
  /** Sizes at which another pass ran in place of the timed kernel, one sentence each. */
  notes: readonly string[];
  /** The kernels that cannot run here, so were neither compared nor timed, with the reason. */
  uncheckedKernels: readonly { kernel: NmiKernel; reason: string }[];
  /** Largest accepted difference between kernel and reference in that comparison. */
  agreementTolerance: number;
  /** Failed `--quick` checks, one message each. */
  failures: string[];
}

/** Description of each kernel for the report. None uses a TensorFlow.js backend. */
const KERNEL_DESCRIPTIONS: Record<NmiKernel, string> = {
  native:
    "pixel pass and its sums in C compiled by deno task build-nmi-native, through Deno's FFI; entropies in TypeScript",
  wasm:
    "pixel pass in WebAssembly with 4-lane SIMD; entropies in TypeScript, their sums in WebAssembly for small images",
  typescript: "TypeScript on typed arrays",
};

const IMAGES_DESCRIPTION = "seeded U(0, 1) noise; degraded = clean + N(0, 0.1^2) noise, clamped to [0, 1]";

/**
 * Returns the CPU model from /proc/cpuinfo, or "unknown" with the reason. Deno 2.9.6
 * reads /proc/cpuinfo only with --allow-all.
 */
async function readCpuModel(): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile("/proc/cpuinfo");
  } catch (error) {
    return `unknown (cannot read /proc/cpuinfo: ${(error as Error).name})`;
  }
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1].trim();
  return model ?? "unknown (no model name in /proc/cpuinfo)";
}

/**
 * Returns the facts about the runtime and machine that affect the timings: Deno, V8
 * and TypeScript versions, OS, architecture, CPU model and logical CPU count.
 */
export async function describeMachine(): Promise<Record<string, string | number>> {
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: Deno.build.os,
    arch: Deno.build.arch,
    cpu_model: await readCpuModel(),
    logical_cpus: navigator.hardwareConcurrency,
  };
}

/** Returns the report as one line of JSON. The keys of `results` entries are fixed for CI scripts. */
export function formatJsonReport(report: NmiBenchReport): string {
  const { options, timing } = report;
  return JSON.stringify({
    tool: "nmi-bench",
    mode: options.quick ? "quick" : "full",
    bins: options.bins,
    kernel: options.kernel,
    kernel_description: KERNEL_DESCRIPTIONS[options.kernel],
    threads: 1,
    images: IMAGES_DESCRIPTION,
    timing: {
      warmup_ms: timing.warmupMs,
      min_duration_ms: timing.minDurationMs,
      repeats: timing.repeats,
      statistic: "median",
    },
    machine: report.machine,
    results: report.results,
    checked_pairs: report.checkedPairs,
    checked_kernels: report.checkedKernels,
    unchecked_kernels: report.uncheckedKernels,
    notes: report.notes,
    agreement_tolerance: report.agreementTolerance,
    failures: report.failures,
  });
}

/** Returns the names as "a", "a and b" or "a, b and c". */
function listOf(names: readonly string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function formatRate(imagesPerSecond: number): string {
  return Math.round(imagesPerSecond).toLocaleString("en-US");
}

/** Returns the report as lines of text: the setup, then one table row per size. */
export function formatTextReport(report: NmiBenchReport): string[] {
  const { options, timing, machine } = report;
  const lines = [
    `nmi-bench${options.quick ? " --quick" : ""}: ${options.bins} bins, one thread`,
    `kernel: ${options.kernel} (${KERNEL_DESCRIPTIONS[options.kernel]})`,
    `runtime: Deno ${machine.deno}, V8 ${machine.v8}, ${machine.os} ${machine.arch}`,
    `cpu: ${machine.cpu_model}, ${machine.logical_cpus} logical CPUs`,
    `images: ${IMAGES_DESCRIPTION}`,
    `timing: median of ${timing.repeats} runs of >= ${timing.minDurationMs} ms per side, after ${timing.warmupMs} ms of warm-up`,
  ];
  if (report.checkedPairs > 0) {
    lines.push(
      `agreement: ${report.checkedPairs} image pairs compared with the reference for kernels ${
        listOf(report.checkedKernels)
      }, tolerance ${report.agreementTolerance}`,
    );
  }
  for (const { kernel, reason } of report.uncheckedKernels) {
    lines.push(`not checked: kernel ${kernel} cannot run here: ${reason}`);
  }
  lines.push("");
  lines.push("   side   reference img/s   kernel img/s   speedup");
  for (const result of report.results) {
    const side = `${result.side} x ${result.side}`.padStart(9);
    const reference = formatRate(result.reference_images_per_s).padStart(17);
    const kernel = formatRate(result.kernel_images_per_s).padStart(14);
    const speedup = `${result.speedup.toFixed(1)}x`.padStart(9);
    lines.push(`${side} ${reference} ${kernel} ${speedup}`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (options.quick) {
    const count = report.failures.length;
    lines.push("");
    lines.push(
      count === 0 ? "quick check: passed" : `quick check: FAILED, ${count} failed checks listed on stderr`,
    );
  }
  return lines;
}
