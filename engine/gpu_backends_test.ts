import assert from "node:assert/strict";
import {
  BackendUnavailableError,
  diagnoseTensorflowGpu,
  initializeTensorflowGpu,
  initializeWebGpu,
  tensorflowGpuPackageLoaded,
  tensorflowGpuUnavailable,
} from "./gpu_backends.ts";
import type { CommandResult, SystemAccess } from "./gpu_probe.ts";

const PACKAGE_MAIN = "file:///repo/node_modules/@tensorflow/tfjs-node-gpu/dist/index.js";
const BINDING = "/repo/node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node";

function fakeSystem(options: { dev: string[]; files: string[]; ldconfig?: string }): SystemAccess {
  return {
    readDirectory: () => Promise.resolve(options.dev),
    exists: (path) => Promise.resolve(options.files.includes(path)),
    run(program): Promise<CommandResult | null> {
      if (program === "ldconfig" && options.ldconfig !== undefined) {
        return Promise.resolve({ code: 0, stdout: options.ldconfig, stderr: "" });
      }
      return Promise.resolve(null);
    },
    env: () => undefined,
  };
}

const CUDA_11_CACHE = [
  "\tlibcudart.so.11.0 (libc6,x86-64) => /usr/local/cuda-11.2/lib64/libcudart.so.11.0",
  "\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8",
].join("\n");

Deno.test("diagnoseTensorflowGpu finds nothing missing", async () => {
  const system = fakeSystem({ dev: ["nvidia0"], files: [BINDING], ldconfig: CUDA_11_CACHE });
  assert.deepEqual(await diagnoseTensorflowGpu(system, { mainUrl: PACKAGE_MAIN }), []);
});

Deno.test("diagnoseTensorflowGpu lists every missing part", async () => {
  const system = fakeSystem({ dev: [], files: [] });
  const missing = await diagnoseTensorflowGpu(system, { mainUrl: null });
  assert.deepEqual(missing.map((item) => item.problem), [
    "no CUDA device (no /dev/nvidia*, nvidia-smi not found)",
    "@tensorflow/tfjs-node-gpu not installed",
    "libcudart.so.11.0 and libcudnn.so.8 not found",
  ]);
});

Deno.test("diagnoseTensorflowGpu notices an unbuilt binding", async () => {
  const system = fakeSystem({ dev: ["nvidia0"], files: [], ldconfig: CUDA_11_CACHE });
  const missing = await diagnoseTensorflowGpu(system, { mainUrl: PACKAGE_MAIN });
  assert.equal(missing.length, 1);
  assert.equal(missing[0].problem, `@tensorflow/tfjs-node-gpu binding not built (no ${BINDING})`);
  assert.match(missing[0].fix, /npm rebuild @tensorflow\/tfjs-node-gpu/);
});

Deno.test("diagnoseTensorflowGpu names CUDA 12 as not enough", async () => {
  const cuda12 = "\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12\n" +
    "\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8";
  const system = fakeSystem({ dev: ["nvidia0"], files: [BINDING], ldconfig: cuda12 });
  const missing = await diagnoseTensorflowGpu(system, { mainUrl: PACKAGE_MAIN });
  assert.deepEqual(missing.map((item) => item.problem), ["libcudart.so.11.0 not found"]);
  assert.match(missing[0].fix, /CUDA 11\.2 runtime/);
});

Deno.test("tensorflowGpuUnavailable joins problems and fixes", () => {
  const error = tensorflowGpuUnavailable([
    { problem: "a missing", fix: "Install a." },
    { problem: "b missing", fix: "Install b." },
    { problem: "c missing", fix: "Install b." },
  ]);
  assert.ok(error instanceof BackendUnavailableError);
  assert.equal(error.reason, "a missing, b missing, c missing");
  assert.equal(error.fix, "Install a. Install b. Or pass --backend tensorflow for TensorFlow on the CPU.");
});

Deno.test("initializeTensorflowGpu stops before importing without a GPU", async () => {
  const system = fakeSystem({ dev: ["null"], files: [] });
  await assert.rejects(initializeTensorflowGpu(system), (error: unknown) => {
    assert.ok(error instanceof BackendUnavailableError);
    assert.match(error.reason, /^no CUDA device \(no \/dev\/nvidia\*, nvidia-smi not found\)/);
    assert.match(error.fix, /nvidia-smi -L/);
    return true;
  });
  assert.equal(tensorflowGpuPackageLoaded(), false);
});

Deno.test("initializeWebGpu without an adapter names the driver to install", async () => {
  await assert.rejects(
    initializeWebGpu({ kind: "none", reason: "requestAdapter() returned null" }),
    (error: unknown) => {
      assert.ok(error instanceof BackendUnavailableError);
      assert.equal(error.reason, "no WebGPU adapter: requestAdapter() returned null");
      assert.match(error.fix, /apt-get install mesa-vulkan-drivers/);
      return true;
    },
  );
});
