/**
 * Chooses and initializes the TensorFlow.js backend for a run.
 *
 * The automatic order is the GPU backends, each tried only when its probe finds
 * a GPU, then the CPU ones:
 *
 * 1. `tensorflow-gpu`, TensorFlow's CUDA build from `@tensorflow/tfjs-node-gpu`,
 *    when a CUDA device is visible (`/dev/nvidiaN` or `nvidia-smi -L`);
 * 2. `webgpu`, `@tensorflow/tfjs-backend-webgpu` on Deno's `navigator.gpu`, when
 *    the adapter is a GPU. A CPU renderer such as Mesa's llvmpipe is skipped,
 *    because it runs GPU kernels on the CPU, so it is used only when
 *    `--backend webgpu` requests it. The adapter is probed in a child process,
 *    which keeps the graphics driver out of this one (see gpu_probe.ts);
 * 3. `tensorflow`, the native binding of `@tensorflow/tfjs-node` (built by
 *    `deno task setup`);
 * 4. `wasm`, with the training kernels that it lacks registered by the suite;
 * 5. `cpu`, the pure-JavaScript backend.
 *
 * NOTE: webgpu comes before tensorflow on the assumption that any GPU beats
 * TensorFlow on the CPU for this network. No measurement backs that yet, and
 * bench/gpu-check.sh exists to take one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  BackendUnavailableError,
  initializeTensorflowGpu,
  initializeWebGpu,
  tensorflowGpuPackageLoaded,
} from "./gpu_backends.ts";
import {
  type CudaProbeResult,
  probeCudaDevice,
  probeWebGpuInSubprocess,
  webGpuAdapterRequested,
  type WebGpuProbeResult,
} from "./gpu_probe.ts";
import { applyOneDnnDefault, checkOneDnnVariable } from "./onednn.ts";

/** Backends that `--backend` accepts, in the order of automatic selection. */
export const BACKEND_NAMES = ["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"] as const;

/** A backend name that `--backend` accepts. */
export type BackendName = typeof BACKEND_NAMES[number];

/** The backend that runs, and why the ones before it in the order did not. */
export interface BackendChoice {
  name: BackendName;
  /**
   * One short line per backend that was skipped or failed, with the reason,
   * such as "tensorflow-gpu: no CUDA device (no /dev/nvidia*, nvidia-smi not found)".
   */
  skipped: string[];
  /** The device that runs the kernels, where the backend names one: a WebGPU adapter or a CUDA device. */
  device?: string;
}

/** Probes and initializers of {@linkcode selectBackend}, which tests replace to run the order without a GPU. */
export interface BackendEnvironment {
  probeCuda(): Promise<CudaProbeResult>;
  probeWebGpu(): Promise<WebGpuProbeResult>;
  /**
   * Makes the backend the active tfjs backend and waits until it is ready.
   *
   * @returns The device it runs on, where it names one.
   * @throws {BackendUnavailableError} or another Error when the backend cannot start.
   */
  start(name: BackendName): Promise<string | undefined>;
}

async function initializeTensorflow(): Promise<undefined> {
  if (tensorflowGpuPackageLoaded()) {
    // Both packages register a tfjs backend named "tensorflow", and loading the second prints a warning per kernel.
    throw new Error("tfjs-node-gpu took the backend name in this process; pass --backend tensorflow");
  }
  if (webGpuAdapterRequested()) {
    // With Mesa's llvmpipe, loading TensorFlow 2.21 after an adapter request ended
    // the process with exit code 1 and no message (see probeWebGpuInSubprocess).
    throw new Error("a WebGPU adapter was opened in this process first; pass --backend tensorflow");
  }
  // TensorFlow reads the oneDNN switch once, so it is set before tfjs-node loads it.
  applyOneDnnDefault(tf.findBackendFactory("tensorflow") !== null);
  await import("../compat/node_util_shim.ts");
  await import("@tensorflow/tfjs-node");
  if (!(await tf.setBackend("tensorflow"))) {
    throw new Error("tf.setBackend('tensorflow') returned false");
  }
}

async function initializeWasm(): Promise<undefined> {
  const { initializeWasmBackend } = await import("./wasm_kernels.ts");
  await initializeWasmBackend();
}

async function initializeCpu(): Promise<undefined> {
  if (!(await tf.setBackend("cpu"))) throw new Error("tf.setBackend('cpu') returned false");
  // Under Node.js and Deno the cpu backend prints advice to install tfjs-node on its
  // first tensor. The suite chose cpu on request or after the native backend failed,
  // and reports that choice itself, so the advice is marked as given already.
  const backend = tf.backend() as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
}

const INITIALIZERS: Record<BackendName, () => Promise<string | undefined>> = {
  "tensorflow-gpu": () => initializeTensorflowGpu(),
  webgpu: () => initializeWebGpu(),
  tensorflow: initializeTensorflow,
  wasm: initializeWasm,
  cpu: initializeCpu,
};

/** The real probes and initializers. */
export const DEFAULT_BACKEND_ENVIRONMENT: BackendEnvironment = {
  probeCuda: () => probeCudaDevice(),
  probeWebGpu: () => probeWebGpuInSubprocess(),
  async start(name) {
    const device = await INITIALIZERS[name]();
    await tf.ready();
    return device;
  },
};

/**
 * Parses a `--backend` value.
 *
 * @throws {Error} when the name is not one of {@linkcode BACKEND_NAMES}.
 */
export function parseBackendName(value: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`Unknown backend "${value}". Use one of: ${BACKEND_NAMES.join(", ")}.`);
}

/**
 * Initializes the requested backend, or the first one that works in the order
 * of {@linkcode BACKEND_NAMES} when none is requested. In that order the GPU
 * backends are tried only where their probe finds a GPU.
 *
 * @param requested A backend to use; its failure is an error rather than a fallback.
 * @param environment The probes and initializers, which tests replace with fakes.
 * @returns The backend in use and the reasons earlier ones were skipped.
 */
export async function selectBackend(
  requested?: BackendName,
  environment: BackendEnvironment = DEFAULT_BACKEND_ENVIRONMENT,
): Promise<BackendChoice> {
  if (requested === undefined || requested === "tensorflow") checkOneDnnVariable();
  if (requested !== undefined) {
    let device: string | undefined;
    try {
      device = await environment.start(requested);
    } catch (error) {
      throw new Error(describeStartFailure(requested, error));
    }
    return withDevice({ name: requested, skipped: [] }, device);
  }

  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    const skipReason = await findSkipReason(name, environment);
    if (skipReason !== null) {
      skipped.push(`${name}: ${skipReason}`);
      continue;
    }
    try {
      return withDevice({ name, skipped }, await environment.start(name));
    } catch (error) {
      skipped.push(`${name}: ${error instanceof BackendUnavailableError ? error.reason : describe(error)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start:\n  ${skipped.join("\n  ")}`);
}

/** Returns why automatic selection skips a GPU backend without starting it, or null to try it. */
async function findSkipReason(name: BackendName, environment: BackendEnvironment): Promise<string | null> {
  if (name === "tensorflow-gpu") {
    const cuda = await environment.probeCuda();
    return cuda.visible ? null : `no CUDA device (${cuda.detail})`;
  }
  if (name === "webgpu") {
    const probe = await environment.probeWebGpu();
    if (probe.kind === "none") return probe.reason;
    if (probe.kind === "software") return `software adapter only (${probe.adapter})`;
  }
  return null;
}

function describeStartFailure(name: BackendName, error: unknown): string {
  if (error instanceof BackendUnavailableError) {
    return `The ${name} backend is unavailable: ${error.reason}. ${error.fix}`;
  }
  const advice = name === "tensorflow"
    ? "Run `deno task setup` to build the native binding, or pass --backend wasm."
    : "Pass another --backend.";
  return `The ${name} backend failed to start: ${describe(error)}. ${advice}`;
}

function withDevice(choice: BackendChoice, device: string | undefined): BackendChoice {
  return device === undefined ? choice : { ...choice, device };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}
