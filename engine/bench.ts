/**
 * Runs a bench plan: every (method, seed) pair on one dataset, or the pairs of
 * one shard, each as a run folder under the results folder. Finished runs are
 * skipped and interrupted ones resume from their checkpoint.
 *
 * @module
 */
import { loadDataset } from "../datasets/mod.ts";
import { takePerClass } from "../datasets/subset.ts";
import { type ImageDataset, isStreamed } from "../datasets/types.ts";
import { type BackendChoice, selectBackend } from "./backend.ts";
import { describeOneDnn, recordsOneDnn } from "./onednn.ts";
import type { BenchPlan } from "./bench_options.ts";
import { type BenchOutput, runOne, type RunOutcome } from "./bench_run.ts";
import type { RunConfig } from "./config.ts";
import { selectShard } from "./shard.ts";
import { describeMemoryRisk } from "./memory_estimate.ts";
import { nmiKernelUnavailableReason, nmiPass } from "../nmi/nmi.ts";

export type { BenchOutput, RunOutcome } from "./bench_run.ts";

/** One cell of the run matrix. */
export interface MatrixEntry {
  method: string;
  seed: number;
}

/** Returns the plan's (method, seed) pairs in matrix order: methods outer, seeds inner, as given. */
export function listMatrix(plan: Pick<BenchPlan, "methods" | "seeds">): MatrixEntry[] {
  return plan.methods.flatMap((method) => plan.seeds.map((seed) => ({ method, seed })));
}

/** Runs the plan, or its shard, and returns one outcome per (method, seed) that it ran. */
export async function runBench(plan: BenchPlan, output: BenchOutput): Promise<RunOutcome[]> {
  const matrix = listMatrix(plan);
  const entries = selectShard(matrix, plan.shard);
  if (plan.shard !== undefined) {
    output.log(`shard ${plan.shard.index}/${plan.shard.count}: ${entries.length} of ${matrix.length} runs`);
    if (entries.length === 0) return [];
  }
  const backend = await selectBackend(plan.backend);
  output.log(describeBackend(backend));
  output.log(describeNmiKernel(plan.methodOptions.nmiBins, plan.training.side));
  const loaded = await loadDataset(plan.dataset, {
    side: plan.training.side,
    cacheDir: plan.cacheDir,
    skipBadImages: plan.skipBadImages,
    stream: plan.stream,
    onProgress: ({ split, done, total, fromCache }) => {
      if (!fromCache) output.progress(`decoding ${split} images: ${done}/${total}`);
    },
  });
  if (loaded.classNames.length < 2) {
    throw new Error(
      `Dataset ${plan.dataset} has ${loaded.classNames.length} class (${loaded.classNames.join(", ")}); ` +
        "a classifier needs at least 2 class folders under train/.",
    );
  }
  const dataset: ImageDataset = { ...loaded, train: takePerClass(loaded.train, plan.training.trainPerClass) };
  const streamed = isStreamed(dataset.train) ? `, train images streamed from ${dataset.train.file.path}` : "";
  output.log(
    `dataset ${dataset.name}: ${dataset.train.count} train and ${dataset.val.count} val images, ` +
      `${dataset.classNames.length} classes, ${dataset.train.height}x${dataset.train.width} px${streamed}`,
  );
  const { side, width, batchSize, stem } = plan.training;
  const shape = { side, width, stem, batchSize: Math.min(batchSize, dataset.train.count) };
  const memoryRisk = describeMemoryRisk(shape, systemMemoryBytes());
  if (memoryRisk !== undefined) output.log(memoryRisk);
  const outcomes: RunOutcome[] = [];
  for (const { method, seed } of entries) {
    const config: RunConfig = {
      method,
      dataset: plan.dataset,
      seed,
      ...plan.training,
      methodOptions: plan.methodOptions,
    };
    outcomes.push(await runOne(config, { plan, dataset, backend, output }));
  }
  return outcomes;
}

/** Returns the machine's total memory in bytes, or undefined where Deno cannot read it. */
function systemMemoryBytes(): number | undefined {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return undefined;
  }
}

/**
 * Returns the line naming the NMI kernel's pass for training images of side x side
 * pixels with `bins` bins, and why the native pass is not used where it is not.
 */
export function describeNmiKernel(bins: number, side: number): string {
  const pass = nmiPass(undefined, bins, side * side);
  if (pass === "native") return "nmi kernel: native";
  const reason = nmiKernelUnavailableReason("native") ??
    `it does not take ${side} x ${side} images with ${bins} bins`;
  return `nmi kernel: ${pass} (native pass not used: ${reason})`;
}

function describeBackend(backend: BackendChoice): string {
  const kernels = recordsOneDnn(backend.name) ? `, ${describeOneDnn()}` : "";
  const skipped = backend.skipped.length > 0 ? ` (skipped ${backend.skipped.join("; ")})` : "";
  return `backend: ${backend.name}${kernels}${skipped}`;
}
