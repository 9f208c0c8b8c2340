/**
 * Starts the two GPU backends: `tensorflow-gpu` (`@tensorflow/tfjs-node-gpu`,
 * TensorFlow's CUDA build) and `webgpu` (`@tensorflow/tfjs-backend-webgpu` on
 * Deno's `navigator.gpu`). When one cannot start, the error names what is
 * missing and how to fix it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import {
  type CudaProbeResult,
  DENO_SYSTEM,
  findSharedLibrary,
  probeCudaDevice,
  probeWebGpuAdapter,
  type SystemAccess,
  type WebGpuProbeResult,
} from "./gpu_probe.ts";

/** A backend that cannot start here, with a short reason and the steps that would fix it. */
export class BackendUnavailableError extends Error {
  /**
   * @param reason What is missing, short enough for one line of a log.
   * @param fix What to install or pass instead, in full sentences.
   */
  constructor(readonly reason: string, readonly fix: string) {
    super(`${reason}. ${fix}`);
    this.name = "BackendUnavailableError";
  }
}

/**
 * The package of the tensorflow-gpu backend. The specifier is kept in a
 * variable so that type checking does not try to resolve it: the package is
 * optional, and Deno rejects an import of a package that package.json lacks.
 */
const TFJS_NODE_GPU = "@tensorflow/tfjs-node-gpu";
const TFJS_NODE_GPU_VERSION = "4.22.0";

/**
 * Shared libraries that libtensorflow 2.9.1, the build inside tfjs-node-gpu
 * 4.22, loads with dlopen when it starts. Their absence makes TensorFlow run on
 * the CPU with only a log line. The tfjs-node 4.22 README names CUDA 11.2 and
 * cuDNN 8.1 as the versions that this build needs.
 */
const CUDA_LIBRARIES = ["libcudart.so.11.0", "libcudnn.so.8"];

const INSTALL_CUDA_FIX = "Install the CUDA 11.2 runtime (libcudart.so.11.0) and cuDNN 8.1 (libcudnn.so.8), " +
  "which libtensorflow 2.9.1 in tfjs-node-gpu 4.22 loads, and add their folder to LD_LIBRARY_PATH.";

/** One missing prerequisite of tensorflow-gpu and its fix. */
export interface MissingPrerequisite {
  problem: string;
  fix: string;
}

/** Location of the tfjs-node-gpu package. */
export interface TensorflowGpuPackage {
  /** The package's main module as a file URL, or null when it is not installed. */
  mainUrl: string | null;
}

/** Locates tfjs-node-gpu the way `import()` would. Deno requires the package to be listed in package.json. */
export function locateTensorflowGpuPackage(): TensorflowGpuPackage {
  try {
    return { mainUrl: import.meta.resolve(TFJS_NODE_GPU) };
  } catch {
    return { mainUrl: null };
  }
}

/**
 * Lists what the tensorflow-gpu backend lacks here: a CUDA device, the
 * tfjs-node-gpu package and its binding, and the CUDA libraries. Every
 * prerequisite is checked, so one error can name all of them.
 *
 * @returns An empty list when nothing is missing.
 */
export async function diagnoseTensorflowGpu(
  system: SystemAccess = DENO_SYSTEM,
  tfjsNodeGpu: TensorflowGpuPackage = locateTensorflowGpuPackage(),
  cuda?: CudaProbeResult,
): Promise<MissingPrerequisite[]> {
  const missing: MissingPrerequisite[] = [];
  const device = cuda ?? await probeCudaDevice(system);
  if (!device.visible) {
    missing.push({
      problem: `no CUDA device (${device.detail})`,
      fix: "Run on a machine with an NVIDIA GPU whose driver is loaded (`nvidia-smi -L` lists it); " +
        "in a container, pass the GPU through (for example `docker run --gpus all`).",
    });
  }

  if (tfjsNodeGpu.mainUrl === null) {
    missing.push({
      problem: `${TFJS_NODE_GPU} not installed`,
      fix: `Run \`npm install --save-exact ${TFJS_NODE_GPU}@${TFJS_NODE_GPU_VERSION}\`; ` +
        "its install script downloads libtensorflow 2.9.1 with GPU support.",
    });
  } else {
    // The package's main module is dist/index.js, and it loads lib/napi-v8/tfjs_binding.node.
    const binding = fileURLToPath(new URL("../lib/napi-v8/tfjs_binding.node", tfjsNodeGpu.mainUrl));
    if (!(await system.exists(binding))) {
      missing.push({
        problem: `${TFJS_NODE_GPU} binding not built (no ${binding})`,
        fix: `Run \`npm rebuild ${TFJS_NODE_GPU}\` without --ignore-scripts; ` +
          "it downloads libtensorflow 2.9.1 with GPU support and builds the binding.",
      });
    }
  }

  const notFound: string[] = [];
  for (const library of CUDA_LIBRARIES) {
    if (await findSharedLibrary(library, system) === null) notFound.push(library);
  }
  if (notFound.length > 0) {
    missing.push({ problem: `${notFound.join(" and ")} not found`, fix: INSTALL_CUDA_FIX });
  }
  return missing;
}

/** Builds the error of a tensorflow-gpu start that lacks the given prerequisites. */
export function tensorflowGpuUnavailable(missing: MissingPrerequisite[]): BackendUnavailableError {
  const fixes = [...new Set(missing.map((item) => item.fix))];
  return new BackendUnavailableError(
    missing.map((item) => item.problem).join(", "),
    `${fixes.join(" ")} Or pass --backend tensorflow for TensorFlow on the CPU.`,
  );
}

let tensorflowGpuLoaded = false;

/**
 * Returns whether this process imported tfjs-node-gpu. That package and
 * tfjs-node both register a tfjs backend named "tensorflow", so after a failed
 * tensorflow-gpu start the CPU package cannot be loaded cleanly in the same
 * process.
 */
export function tensorflowGpuPackageLoaded(): boolean {
  return tensorflowGpuLoaded;
}

/**
 * Makes TensorFlow's CUDA build the active tfjs backend (tfjs name "tensorflow").
 *
 * NOTE: this path has not run on a machine with CUDA 11.2. Also, batch_norm.ts
 * reads the batch variance from FusedBatchNormV3's reserve_space_2, which
 * contains the variance on TensorFlow's CPU kernel. The GPU kernel in
 * TensorFlow's fused_batch_norm_op.cc fills that output with cuDNN's saved
 * inverse variance instead, so running variances on this backend are likely
 * wrong until batch_norm.ts reads the variance another way.
 *
 * @returns The CUDA device that the probe found.
 * @throws {BackendUnavailableError} naming every missing prerequisite, or when
 *   TensorFlow loaded but found no GPU device.
 */
export async function initializeTensorflowGpu(system: SystemAccess = DENO_SYSTEM): Promise<string> {
  const cuda = await probeCudaDevice(system);
  const missing = await diagnoseTensorflowGpu(system, locateTensorflowGpuPackage(), cuda);
  if (missing.length > 0) throw tensorflowGpuUnavailable(missing);

  await import("../compat/node_util_shim.ts");
  const specifier = TFJS_NODE_GPU;
  tensorflowGpuLoaded = true;
  await import(specifier);
  if (!(await tf.setBackend("tensorflow"))) {
    throw new Error(`tf.setBackend("tensorflow") returned false after importing ${TFJS_NODE_GPU}`);
  }
  await tf.ready();
  const backend = tf.backend() as { isUsingGpuDevice?: boolean };
  if (backend.isUsingGpuDevice !== true) {
    throw new BackendUnavailableError(
      "TensorFlow found no usable GPU device",
      "Its log above names the library it could not load or the device it rejected. " + INSTALL_CUDA_FIX,
    );
  }
  return cuda.detail;
}

/** The package of the webgpu backend. */
const TFJS_WEBGPU = "@tensorflow/tfjs-backend-webgpu";

/**
 * Makes `@tensorflow/tfjs-backend-webgpu` the active tfjs backend. A software
 * adapter (Mesa's llvmpipe, for example) is accepted: it is slow but gives the
 * same results.
 *
 * NOTE: the package's synchronous reads (`dataSync`, `arraySync`) draw through
 * an OffscreenCanvas, which Deno 2.9 lacks, so they throw on this backend.
 * Read values with `await tensor.data()`.
 *
 * @param probe The adapter probe's result, when the caller ran it already.
 * @returns The adapter's description.
 * @throws {BackendUnavailableError} when no WebGPU adapter exists.
 */
export async function initializeWebGpu(probe?: WebGpuProbeResult): Promise<string> {
  const result = probe ?? await probeWebGpuAdapter(navigator.gpu);
  if (result.kind === "none") {
    throw new BackendUnavailableError(
      `no WebGPU adapter: ${result.reason}`,
      "Install a Vulkan driver: on Debian or Ubuntu, `apt-get install mesa-vulkan-drivers` gives a CPU " +
        "adapter for tests, and an NVIDIA driver's Vulkan ICD with libvulkan1 gives a GPU one.",
    );
  }
  // Importing the package registers the "webgpu" backend (priority 3) when navigator.gpu exists.
  await import(TFJS_WEBGPU);
  if (!(await tf.setBackend("webgpu"))) {
    throw new Error(`tf.setBackend("webgpu") returned false on adapter ${result.adapter}`);
  }
  await tf.ready();
  return result.kind === "software" ? `${result.adapter}, software` : result.adapter;
}
