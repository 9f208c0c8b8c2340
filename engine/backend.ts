/**
 * Chooses and initializes the TensorFlow.js backend for a run.
 *
 * The preference order is the native TensorFlow binding of `@tensorflow/tfjs-node`
 * (built by `deno task setup`), then the wasm backend with the training kernels
 * that it lacks registered by the suite, then the pure-JavaScript `cpu` backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Backends that `--backend` accepts. */
export const BACKEND_NAMES = ["tensorflow", "wasm", "cpu"] as const;

/** A backend name that `--backend` accepts. */
export type BackendName = typeof BACKEND_NAMES[number];

/** The backend that runs, and why the ones before it in the order did not. */
export interface BackendChoice {
  name: BackendName;
  /** One line per backend that was tried and failed, with the reason. */
  skipped: string[];
}

async function initializeTensorflow(): Promise<void> {
  await import("../compat/node_util_shim.ts");
  await import("@tensorflow/tfjs-node");
  if (!(await tf.setBackend("tensorflow"))) {
    throw new Error("tf.setBackend('tensorflow') returned false");
  }
}

async function initializeWasm(): Promise<void> {
  const { initializeWasmBackend } = await import("./wasm_kernels.ts");
  await initializeWasmBackend();
}

async function initializeCpu(): Promise<void> {
  if (!(await tf.setBackend("cpu"))) throw new Error("tf.setBackend('cpu') returned false");
  // Under Node.js and Deno the cpu backend prints advice to install tfjs-node on its
  // first tensor. The suite chose cpu on request or after the native backend failed,
  // and reports that choice itself, so the advice is marked as given already.
  const backend = tf.backend() as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
}

const INITIALIZERS: Record<BackendName, () => Promise<void>> = {
  tensorflow: initializeTensorflow,
  wasm: initializeWasm,
  cpu: initializeCpu,
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
 * tensorflow, wasm, cpu when none is requested.
 *
 * @param requested A backend to use; its failure is an error rather than a fallback.
 * @returns The backend in use and the reasons earlier ones were skipped.
 */
export async function selectBackend(requested?: BackendName): Promise<BackendChoice> {
  if (requested !== undefined) {
    try {
      await INITIALIZERS[requested]();
    } catch (error) {
      throw new Error(
        `The ${requested} backend failed to start: ${describe(error)}. ` +
          (requested === "tensorflow"
            ? "Run `deno task setup` to build the native binding, or pass --backend wasm."
            : "Pass another --backend."),
      );
    }
    await tf.ready();
    return { name: requested, skipped: [] };
  }
  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      await INITIALIZERS[name]();
      await tf.ready();
      return { name, skipped };
    } catch (error) {
      skipped.push(`${name}: ${describe(error)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start:\n  ${skipped.join("\n  ")}`);
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}
