/**
 * Times ResNet-18 training steps on one backend at several image sides, for
 * bench/gpu-check.sh. Prints one JSON object per side on stdout.
 *
 * ```sh
 * deno run --allow-all bench/gpu_steps.ts --backend webgpu --sides 32,224
 * ```
 *
 * Sides up to 64 px use the CIFAR stem and larger ones the ImageNet stem (see
 * engine/resnet.ts). The timing is `measureStepThroughput` of bench/step_timing.ts,
 * the one that `deno task perf --torch` compares with PyTorch.
 *
 * Exit status: 0 when every side was measured, 1 when one failed, 2 for an
 * invalid option, 3 when the backend cannot start or, with --require-gpu, runs
 * on a CPU renderer.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendChoice, parseBackendName, selectBackend } from "../engine/backend.ts";
import { defaultStem } from "../engine/resnet.ts";
import { measureStepThroughput } from "./step_timing.ts";

const USAGE = `Usage: deno run --allow-all bench/gpu_steps.ts --backend NAME [options]

Options:
  --backend NAME      tensorflow-gpu, webgpu, tensorflow, wasm or cpu (required)
  --sides LIST        image sides in pixels, comma-separated (default: 32,224)
  --width X           ResNet-18 channel multiplier (default: 1)
  --batch-size N      images per step (default: 64)
  --steps N           timed steps per side (default: 10)
  --warmup N          untimed steps before them, which compile kernels (default: 2)
  --require-gpu       exit with 3 when the backend runs on a CPU renderer
  -h, --help          print this help
`;

const EXIT_MEASUREMENT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_BACKEND_UNAVAILABLE = 3;

interface GpuStepsOptions {
  backend: ReturnType<typeof parseBackendName>;
  sides: number[];
  width: number;
  batchSize: number;
  steps: number;
  warmup: number;
  requireGpu: boolean;
}

function parseCount(option: string, value: string, minimum: number): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isInteger(parsed) || parsed < minimum) {
    throw new Error(`Invalid ${option} "${value}": expected an integer of at least ${minimum}.`);
  }
  return parsed;
}

function parseOptions(args: string[]): GpuStepsOptions | null {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      backend: { type: "string" },
      sides: { type: "string", default: "32,224" },
      width: { type: "string", default: "1" },
      "batch-size": { type: "string", default: "64" },
      steps: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      "require-gpu": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return null;
  if (values.backend === undefined) throw new Error("Missing --backend.");
  const width = Number(values.width);
  if (!(width > 0)) throw new Error(`Invalid --width "${values.width}": expected a number above 0.`);
  return {
    backend: parseBackendName(values.backend),
    sides: values.sides!.split(",").map((side) => parseCount("--sides", side, 8)),
    width,
    batchSize: parseCount("--batch-size", values["batch-size"]!, 1),
    steps: parseCount("--steps", values.steps!, 1),
    warmup: parseCount("--warmup", values.warmup!, 0),
    requireGpu: values["require-gpu"]!,
  };
}

/** Returns why the chosen backend is not on a GPU, or null when it is. */
function findCpuRenderer(choice: BackendChoice): string | null {
  if (choice.name === "webgpu" && choice.device?.endsWith(", software")) {
    return `the WebGPU adapter is a CPU renderer (${choice.device})`;
  }
  if (choice.name !== "webgpu" && choice.name !== "tensorflow-gpu") return `${choice.name} runs on the CPU`;
  return null;
}

async function main(args: string[]): Promise<number> {
  let options: GpuStepsOptions | null;
  try {
    options = parseOptions(args);
  } catch (error) {
    console.error(`gpu_steps: ${(error as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (options === null) {
    console.log(USAGE);
    return 0;
  }

  let choice: BackendChoice;
  try {
    choice = await selectBackend(options.backend);
  } catch (error) {
    console.error(`gpu_steps: ${(error as Error).message}`);
    return EXIT_BACKEND_UNAVAILABLE;
  }
  const cpuRenderer = findCpuRenderer(choice);
  if (options.requireGpu && cpuRenderer !== null) {
    console.error(`gpu_steps: --require-gpu: ${cpuRenderer}`);
    return EXIT_BACKEND_UNAVAILABLE;
  }

  let status = 0;
  for (const side of options.sides) {
    const record = {
      backend: choice.name,
      device: choice.device ?? null,
      side,
      stem: defaultStem(side),
      width: options.width,
      batchSize: options.batchSize,
      steps: options.steps,
      warmup: options.warmup,
      deno: Deno.version.deno,
      tfjs: tf.version.tfjs,
    };
    try {
      const imagesPerSecond = await measureStepThroughput({
        width: options.width,
        batchSize: options.batchSize,
        side,
        numClasses: 10,
        steps: options.steps,
        warmup: options.warmup,
      });
      console.log(JSON.stringify({ ...record, imagesPerSecond }));
    } catch (error) {
      console.log(JSON.stringify({ ...record, error: (error as Error).message.split("\n")[0] }));
      status = EXIT_MEASUREMENT_FAILED;
    }
  }
  return status;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
