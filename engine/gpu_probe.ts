/**
 * Probes for the GPUs that the `tensorflow-gpu` and `webgpu` backends need: a
 * CUDA device, the CUDA libraries that TensorFlow loads at run time, and a
 * WebGPU adapter.
 *
 * Each probe reads the system through a {@linkcode SystemAccess} or a WebGPU
 * entry point passed in, so tests can run the decisions without a GPU.
 *
 * @module
 */

/** Result of running a program. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The parts of the operating system that the probes read. */
export interface SystemAccess {
  /** Lists the entry names of a folder, or throws when it cannot be read. */
  readDirectory(path: string): Promise<string[]>;
  /** Returns whether a file or folder exists at the path. */
  exists(path: string): Promise<boolean>;
  /** Runs a program to completion, or returns null when the program is not found. */
  run(program: string, args: string[]): Promise<CommandResult | null>;
  /** Reads an environment variable. */
  env(name: string): string | undefined;
}

/** {@linkcode SystemAccess} backed by Deno's file system, subprocess and environment APIs. */
export const DENO_SYSTEM: SystemAccess = {
  async readDirectory(path) {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names;
  },
  async exists(path) {
    try {
      await Deno.stat(path);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  },
  async run(program, args) {
    try {
      const output = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
      const decoder = new TextDecoder();
      return {
        code: output.code,
        stdout: decoder.decode(output.stdout),
        stderr: decoder.decode(output.stderr),
      };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  },
  env(name) {
    return Deno.env.get(name);
  },
};

/** Outcome of {@linkcode probeCudaDevice}. */
export interface CudaProbeResult {
  visible: boolean;
  /**
   * Short evidence: the device file or `nvidia-smi -L` line that was found, or
   * why none was, such as "no /dev/nvidia*, nvidia-smi not found".
   */
  detail: string;
}

const NVIDIA_DEVICE_FILE = /^nvidia\d+$/;

/**
 * Looks for an NVIDIA GPU that CUDA could use: a `/dev/nvidiaN` device file,
 * else a `GPU N:` line from `nvidia-smi -L`.
 *
 * The probe never throws. A folder it may not read or a program it may not run
 * (missing Deno permissions, for example) counts as no evidence, with the error
 * in `detail`.
 */
export async function probeCudaDevice(system: SystemAccess = DENO_SYSTEM): Promise<CudaProbeResult> {
  let devicesNote: string;
  try {
    const devices = (await system.readDirectory("/dev")).filter((name) => NVIDIA_DEVICE_FILE.test(name))
      .sort();
    if (devices.length > 0) return { visible: true, detail: `/dev/${devices[0]}` };
    devicesNote = "no /dev/nvidia*";
  } catch (error) {
    devicesNote = `/dev not readable (${firstLine(error)})`;
  }

  let smi: CommandResult | null;
  try {
    smi = await system.run("nvidia-smi", ["-L"]);
  } catch (error) {
    return { visible: false, detail: `${devicesNote}, nvidia-smi not run (${firstLine(error)})` };
  }
  if (smi === null) return { visible: false, detail: `${devicesNote}, nvidia-smi not found` };
  if (smi.code !== 0) {
    const message = (smi.stderr.trim() || smi.stdout.trim()).split("\n")[0];
    return { visible: false, detail: `${devicesNote}, nvidia-smi -L failed (exit ${smi.code}: ${message})` };
  }
  const gpuLine = smi.stdout.split("\n").find((line) => /^GPU \d+:/.test(line.trim()));
  if (gpuLine === undefined) return { visible: false, detail: `${devicesNote}, nvidia-smi -L listed no GPU` };
  return { visible: true, detail: gpuLine.trim() };
}

/** Folders that the Linux dynamic loader searches after LD_LIBRARY_PATH and its cache. */
const DEFAULT_LIBRARY_FOLDERS = ["/lib", "/usr/lib", "/lib64", "/usr/lib64"];

/**
 * Finds where the dynamic loader would load a shared library from, the way
 * `dlopen` looks for a bare file name: the folders of LD_LIBRARY_PATH, then the
 * loader cache (`ldconfig -p`), then the default folders.
 *
 * @param soname File name such as "libcudart.so.11.0".
 * @returns The path found, or null when none of those places has the file.
 */
export async function findSharedLibrary(
  soname: string,
  system: SystemAccess = DENO_SYSTEM,
): Promise<string | null> {
  const libraryPath = (system.env("LD_LIBRARY_PATH") ?? "").split(":").filter((folder) => folder !== "");
  for (const folder of libraryPath) {
    if (await system.exists(`${folder}/${soname}`)) return `${folder}/${soname}`;
  }

  const cached = await readLoaderCache(system);
  const entry = cached.find((line) => line.trim().startsWith(`${soname} `));
  if (entry !== undefined) return entry.split("=>").at(-1)!.trim();

  for (const folder of DEFAULT_LIBRARY_FOLDERS) {
    if (await system.exists(`${folder}/${soname}`)) return `${folder}/${soname}`;
  }
  return null;
}

/** Returns the lines of `ldconfig -p`, or none where ldconfig is missing or may not run. */
async function readLoaderCache(system: SystemAccess): Promise<string[]> {
  // ldconfig lives in /sbin, which is not on every user's PATH.
  for (const program of ["ldconfig", "/sbin/ldconfig"]) {
    try {
      const result = await system.run(program, ["-p"]);
      if (result !== null && result.code === 0) return result.stdout.split("\n");
    } catch {
      // A permission error is treated like a missing ldconfig: the other places are still searched.
    }
  }
  return [];
}

/** A WebGPU entry point such as `navigator.gpu`, reduced to what the probe calls. */
export interface WebGpuEntryPoint {
  requestAdapter(options?: GPURequestAdapterOptions): Promise<{ info: WebGpuAdapterInfo } | null>;
}

/** The fields of `GPUAdapterInfo` that the probe reads. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

/** Outcome of {@linkcode probeWebGpuAdapter}. */
export type WebGpuProbeResult =
  | { kind: "hardware"; adapter: string }
  | { kind: "software"; adapter: string }
  | { kind: "none"; reason: string };

/** Adapter names of CPU renderers, for implementations that do not set `isFallbackAdapter`. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|basic render driver/i;

let adapterRequestedInProcess = false;

/**
 * Returns whether this process requested a WebGPU adapter from the real
 * `navigator.gpu`, which loads the graphics driver into the process for good.
 */
export function webGpuAdapterRequested(): boolean {
  return adapterRequestedInProcess;
}

/**
 * Requests the adapter that `@tensorflow/tfjs-backend-webgpu` 4.22 would get
 * (power preference "high-performance") and classifies it as a GPU or a CPU
 * renderer such as Mesa's llvmpipe.
 *
 * An adapter counts as software when `info.isFallbackAdapter` is true or its
 * description names a known CPU renderer. Never throws.
 *
 * NOTE: with the real `navigator.gpu` this loads the driver into the process.
 * Use {@linkcode probeWebGpuInSubprocess} where TensorFlow may load later.
 *
 * @param gpu The WebGPU entry point, normally `navigator.gpu`, which is undefined where the runtime has none.
 */
export async function probeWebGpuAdapter(gpu: WebGpuEntryPoint | undefined): Promise<WebGpuProbeResult> {
  if (gpu === undefined) {
    return { kind: "none", reason: "navigator.gpu is undefined (this runtime has no WebGPU)" };
  }
  if (gpu === globalThis.navigator?.gpu) adapterRequestedInProcess = true;
  let adapter: { info: WebGpuAdapterInfo } | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return { kind: "none", reason: `requestAdapter() failed (${firstLine(error)})` };
  }
  if (adapter === null) return { kind: "none", reason: "requestAdapter() returned null" };

  const name = describeAdapter(adapter.info);
  const software = adapter.info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(name);
  return { kind: software ? "software" : "hardware", adapter: name };
}

/**
 * Runs {@linkcode probeWebGpuAdapter} on `navigator.gpu` in a child Deno
 * process and returns its result.
 *
 * A child process keeps the graphics driver out of this one. With Mesa 22.3's
 * llvmpipe (Vulkan or OpenGL), importing tfjs-node's TensorFlow 2.21 binding
 * after an adapter request ended the Deno 2.9.6 process with exit code 1 and no
 * message, while the opposite order worked. The child's stderr is dropped
 * unless it fails, which also hides driver chatter such as libwayland's
 * "XDG_RUNTIME_DIR is invalid".
 *
 * Needs permission to run `Deno.execPath()`. Without it, or when the child
 * fails, the result is `none` with the reason. Never throws.
 *
 * @param env Extra environment variables for the child, such as `DENO_WEBGPU_BACKEND`.
 */
export async function probeWebGpuInSubprocess(env: Record<string, string> = {}): Promise<WebGpuProbeResult> {
  const code = `import { probeWebGpuAdapter } from ${JSON.stringify(import.meta.url)};\n` +
    "console.log(JSON.stringify(await probeWebGpuAdapter(navigator.gpu)));";
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", code],
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    return { kind: "none", reason: `WebGPU probe process not started (${firstLine(error)})` };
  }
  const decoder = new TextDecoder();
  const lastLine = decoder.decode(output.stdout).trim().split("\n").at(-1) ?? "";
  if (output.code !== 0) {
    const message = decoder.decode(output.stderr).trim().split("\n").at(-1) ?? "";
    return { kind: "none", reason: `WebGPU probe process failed (exit ${output.code}: ${message})` };
  }
  try {
    return parseProbeResult(JSON.parse(lastLine));
  } catch (error) {
    return {
      kind: "none",
      reason: `WebGPU probe process printed ${JSON.stringify(lastLine)} (${firstLine(error)})`,
    };
  }
}

function parseProbeResult(value: unknown): WebGpuProbeResult {
  const result = value as Record<string, unknown> | null;
  if (result?.kind === "none" && typeof result.reason === "string") {
    return { kind: "none", reason: result.reason };
  }
  if ((result?.kind === "hardware" || result?.kind === "software") && typeof result.adapter === "string") {
    return { kind: result.kind, adapter: result.adapter };
  }
  throw new Error("not a WebGPU probe result");
}

/** Returns the adapter's description, or its vendor, architecture and device ids where that is empty. */
function describeAdapter(info: WebGpuAdapterInfo): string {
  const description = info.description?.trim() ?? "";
  if (description !== "") return description;
  const parts = [
    `vendor ${info.vendor}`,
    info.architecture,
    info.device === "" ? "" : `device ${info.device}`,
  ];
  return parts.filter((part) => part !== "").join(" ");
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}
