/**
 * `deno task perf`: epoch time of `hard`, `distort_hard` and `mi_adaptive` on the
 * same data and model, and with `--torch` the training-step throughput against
 * PyTorch's at several widths. Prints ratios measured in the same run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { cpus } from "node:os";
import { measureEpochs } from "../bench/perf.ts";
import { compareWithTorch } from "../bench/step_timing.ts";
import {
  formatEpochTimings,
  formatTorchComparisons,
  summarizeTorchRounds,
  type TorchComparison,
} from "../bench/perf_report.ts";
import { EMBEDDED_SPEC, loadDataset } from "../datasets/mod.ts";
import { takePerClass } from "../datasets/subset.ts";
import { parseBackendName, selectBackend } from "../engine/backend.ts";
import { describeOneDnn, oneDnnEnabled, recordsOneDnn } from "../engine/onednn.ts";
import { nonNegativeInteger, positiveInteger, positiveNumber } from "../engine/option_values.ts";
import { canonicalDatasetSpec } from "../engine/user_paths.ts";
import { defaultWorkerCount } from "../pipeline/mod.ts";

const USAGE = `Usage: deno task perf [options]

Trains hard, distort_hard and mi_adaptive on the same data and model and prints
each one's last epoch: images/s, seconds in steps, seconds preparing batches, and
the ratios against the targets (mi_adaptive within 5% of distort_hard; less than
5% of an epoch waiting on data).

Options:
  --dataset SPEC          dataset as for bench (default: embedded)
  --train-per-class N     training images per class (default: 100)
  --epochs N              epochs per method; the last is reported (default: 2)
  --width X               ResNet-18 width (default: 0.25)
  --batch-size N          batch size (default: 128)
  --workers N             batch workers, 0 for the training thread (default: as bench, ${defaultWorkerCount()} here)
  --backend NAME          tensorflow-gpu, webgpu, tensorflow, wasm or cpu (default: the first that starts)
  --torch                 also time training steps against PyTorch (bench/torch_reference.py)
                          at each width of --torch-widths, on random 32 px images
  --torch-widths LIST     widths for --torch (default: 0.25,0.5,1)
  --torch-steps N         timed steps per width and round for --torch (default: 2)
  --torch-rounds N        rounds per width for --torch, each timing tfjs then PyTorch,
                          with both models built once; the median of the rounds'
                          ratios is reported (default: 8)
  --json                  print one JSON object instead of text
  -h, --help              print this help
`;

function parseOptions(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      dataset: { type: "string", default: "embedded" },
      "train-per-class": { type: "string" },
      epochs: { type: "string" },
      width: { type: "string" },
      "batch-size": { type: "string" },
      workers: { type: "string" },
      backend: { type: "string" },
      torch: { type: "boolean", default: false },
      "torch-widths": { type: "string", default: "0.25,0.5,1" },
      "torch-steps": { type: "string" },
      "torch-rounds": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  return {
    help: values.help!,
    dataset: canonicalDatasetSpec(values.dataset!, EMBEDDED_SPEC),
    trainPerClass: positiveInteger("--train-per-class", values["train-per-class"], 100),
    epochs: positiveInteger("--epochs", values.epochs, 2),
    width: positiveNumber("--width", values.width, 0.25),
    batchSize: positiveInteger("--batch-size", values["batch-size"], 128),
    workers: nonNegativeInteger("--workers", values.workers, defaultWorkerCount()),
    backend: values.backend === undefined ? undefined : parseBackendName(values.backend),
    torch: values.torch!,
    torchWidths: values["torch-widths"]!.split(",").map((width) =>
      positiveNumber("--torch-widths", width, 1)
    ),
    torchSteps: positiveInteger("--torch-steps", values["torch-steps"], 2),
    torchRounds: positiveInteger("--torch-rounds", values["torch-rounds"], 8),
    json: values.json!,
  };
}

function describeWorkers(workers: number): string {
  if (workers === 0) return "the training thread";
  return `${workers} worker${workers === 1 ? "" : "s"}`;
}

async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(args);
  } catch (error) {
    console.error(`perf: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const backend = await selectBackend(options.backend);
    const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} logical CPUs`;
    const kernels = recordsOneDnn(backend.name) ? `, ${describeOneDnn()}` : "";
    console.error(`perf: backend ${backend.name}${kernels}, Deno ${Deno.version.deno}, ${machine}`);
    const loaded = await loadDataset(options.dataset, { side: 32 });
    const dataset = { ...loaded, train: takePerClass(loaded.train, options.trainPerClass) };
    console.error(
      `perf: ${dataset.train.count} training images of ${dataset.name}, ${options.epochs} epochs each, ` +
        `batches prepared by ${describeWorkers(options.workers)}`,
    );
    const timings = await measureEpochs(dataset, { ...options, seed: 0 }, (line) => console.error(line));
    const comparisons: TorchComparison[] = [];
    if (options.torch) {
      for (const width of options.torchWidths) {
        const step = {
          width,
          batchSize: options.batchSize,
          side: 32,
          numClasses: 10,
          steps: options.torchSteps,
          warmup: 2,
        };
        const rounds = await compareWithTorch(step, options.torchRounds, (line) => console.error(line));
        comparisons.push(summarizeTorchRounds(width, rounds));
      }
    }
    if (options.json) {
      console.log(
        JSON.stringify({
          backend: backend.name,
          oneDnn: recordsOneDnn(backend.name) ? oneDnnEnabled() : null,
          deno: Deno.version.deno,
          machine,
          timings,
          torch: comparisons,
        }),
      );
    } else {
      console.log(formatEpochTimings(timings));
      if (comparisons.length > 0) console.log(`\n${formatTorchComparisons(comparisons)}`);
    }
    return 0;
  } catch (error) {
    console.error(`perf: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
