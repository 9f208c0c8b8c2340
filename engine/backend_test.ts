import assert from "node:assert/strict";
import { type BackendEnvironment, type BackendName, parseBackendName, selectBackend } from "./backend.ts";
import { BackendUnavailableError, locateTensorflowGpuPackage } from "./gpu_backends.ts";
import type { CudaProbeResult, WebGpuProbeResult } from "./gpu_probe.ts";

Deno.test("parseBackendName accepts the five backends and lists them otherwise", () => {
  for (const name of ["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"]) {
    assert.equal(parseBackendName(name), name);
  }
  assert.throws(
    () => parseBackendName("webgl"),
    /Unknown backend "webgl"\. Use one of: tensorflow-gpu, webgpu, tensorflow, wasm, cpu\./,
  );
});

const NO_CUDA: CudaProbeResult = { visible: false, detail: "no /dev/nvidia*, nvidia-smi not found" };
const CUDA: CudaProbeResult = { visible: true, detail: "/dev/nvidia0" };
const LLVMPIPE: WebGpuProbeResult = { kind: "software", adapter: "llvmpipe (LLVM 15.0.6, 256 bits)" };
const H200: WebGpuProbeResult = { kind: "hardware", adapter: "NVIDIA H200" };

/** Builds a fake environment in which each backend starts and returns its device, or throws the given error. */
function fakeEnvironment(
  cuda: CudaProbeResult,
  webGpu: WebGpuProbeResult,
  outcomes: Partial<Record<BackendName, string | undefined | Error>>,
): BackendEnvironment & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    probeCuda() {
      calls.push("probe cuda");
      return Promise.resolve(cuda);
    },
    probeWebGpu() {
      calls.push("probe webgpu");
      return Promise.resolve(webGpu);
    },
    start(name) {
      calls.push(`start ${name}`);
      const outcome = outcomes[name];
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
  };
}

Deno.test("selectBackend without a GPU says why each GPU backend was skipped", async () => {
  const environment = fakeEnvironment(NO_CUDA, LLVMPIPE, { tensorflow: undefined });
  const choice = await selectBackend(undefined, environment);

  assert.equal(choice.name, "tensorflow");
  assert.deepEqual(choice.skipped, [
    "tensorflow-gpu: no CUDA device (no /dev/nvidia*, nvidia-smi not found)",
    "webgpu: software adapter only (llvmpipe (LLVM 15.0.6, 256 bits))",
  ]);
  assert.equal(choice.device, undefined);
  assert.deepEqual(environment.calls, ["probe cuda", "probe webgpu", "start tensorflow"]);
});

Deno.test("selectBackend tries tensorflow-gpu first with a CUDA device", async () => {
  const environment = fakeEnvironment(CUDA, H200, { "tensorflow-gpu": "/dev/nvidia0" });
  const choice = await selectBackend(undefined, environment);

  assert.deepEqual(choice, { name: "tensorflow-gpu", skipped: [], device: "/dev/nvidia0" });
  assert.deepEqual(environment.calls, ["probe cuda", "start tensorflow-gpu"]);
});

Deno.test("selectBackend moves from a failed tensorflow-gpu to a GPU adapter", async () => {
  const missing = new BackendUnavailableError("@tensorflow/tfjs-node-gpu not installed", "Run npm install.");
  const environment = fakeEnvironment(CUDA, H200, { "tensorflow-gpu": missing, webgpu: "NVIDIA H200" });
  const choice = await selectBackend(undefined, environment);

  assert.equal(choice.name, "webgpu");
  assert.equal(choice.device, "NVIDIA H200");
  assert.deepEqual(choice.skipped, ["tensorflow-gpu: @tensorflow/tfjs-node-gpu not installed"]);
  assert.deepEqual(environment.calls, ["probe cuda", "start tensorflow-gpu", "probe webgpu", "start webgpu"]);
});

Deno.test("selectBackend keeps the first line of other errors", async () => {
  const environment = fakeEnvironment(NO_CUDA, { kind: "none", reason: "requestAdapter() returned null" }, {
    tensorflow: new Error("binding not found\n  at require"),
    wasm: undefined,
  });
  const choice = await selectBackend(undefined, environment);

  assert.equal(choice.name, "wasm");
  assert.deepEqual(choice.skipped, [
    "tensorflow-gpu: no CUDA device (no /dev/nvidia*, nvidia-smi not found)",
    "webgpu: requestAdapter() returned null",
    "tensorflow: binding not found",
  ]);
});

Deno.test("selectBackend lists every backend when none starts", async () => {
  const failure = new Error("failed");
  const environment = fakeEnvironment(NO_CUDA, LLVMPIPE, {
    tensorflow: failure,
    wasm: failure,
    cpu: failure,
  });
  await assert.rejects(
    selectBackend(undefined, environment),
    (error: Error) => {
      assert.equal(
        error.message,
        [
          "No TensorFlow.js backend could start:",
          "  tensorflow-gpu: no CUDA device (no /dev/nvidia*, nvidia-smi not found)",
          "  webgpu: software adapter only (llvmpipe (LLVM 15.0.6, 256 bits))",
          "  tensorflow: failed",
          "  wasm: failed",
          "  cpu: failed",
        ].join("\n"),
      );
      return true;
    },
  );
});

Deno.test("selectBackend starts a requested software adapter", async () => {
  const environment = fakeEnvironment(NO_CUDA, LLVMPIPE, {
    webgpu: "llvmpipe (LLVM 15.0.6, 256 bits), software",
  });
  const choice = await selectBackend("webgpu", environment);

  assert.deepEqual(choice, {
    name: "webgpu",
    skipped: [],
    device: "llvmpipe (LLVM 15.0.6, 256 bits), software",
  });
  assert.deepEqual(environment.calls, ["start webgpu"]);
});

Deno.test("selectBackend puts the fix into a requested backend's error", async () => {
  const missing = new BackendUnavailableError(
    "no CUDA device (no /dev/nvidia*)",
    "Run on an NVIDIA machine.",
  );
  const environment = fakeEnvironment(NO_CUDA, LLVMPIPE, { "tensorflow-gpu": missing });
  await assert.rejects(
    selectBackend("tensorflow-gpu", environment),
    {
      message:
        "The tensorflow-gpu backend is unavailable: no CUDA device (no /dev/nvidia*). Run on an NVIDIA machine.",
    },
  );
});

Deno.test("selectBackend keeps the setup advice for tensorflow", async () => {
  const environment = fakeEnvironment(NO_CUDA, LLVMPIPE, {
    tensorflow: new Error("binding not found\nstack"),
  });
  await assert.rejects(
    selectBackend("tensorflow", environment),
    {
      message: "The tensorflow backend failed to start: binding not found. " +
        "Run `deno task setup` to build the native binding, or pass --backend wasm.",
    },
  );
});

Deno.test({
  name: "selectBackend('tensorflow-gpu') names the missing package",
  // Only where the package is absent, as in this repository's package.json.
  ignore: locateTensorflowGpuPackage().mainUrl !== null,
  fn: async () => {
    await assert.rejects(
      selectBackend("tensorflow-gpu"),
      /^Error: The tensorflow-gpu backend is unavailable: .*@tensorflow\/tfjs-node-gpu not installed.* Run `npm install --save-exact @tensorflow\/tfjs-node-gpu@4\.22\.0/,
    );
  },
});

Deno.test("selectBackend('cpu') prints no advice to install tfjs-node", async () => {
  const script = [
    'import * as tf from "@tensorflow/tfjs";',
    'import { selectBackend } from "./engine/backend.ts";',
    'const choice = await selectBackend("cpu");',
    "tf.tensor1d([1, 2, 3]).square().dataSync();",
    "console.log(choice.name, tf.getBackend());",
  ].join("\n");
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);

  assert.equal(output.code, 0, stderr);
  assert.equal(stdout.trim(), "cpu cpu");
  assert.doesNotMatch(stdout + stderr, /node backend|tfjs-node/);
});

Deno.test("selectBackend rejects an invalid TF_ENABLE_ONEDNN_OPTS first", async () => {
  const previous = Deno.env.get("TF_ENABLE_ONEDNN_OPTS");
  Deno.env.set("TF_ENABLE_ONEDNN_OPTS", "yes");
  try {
    for (const requested of [undefined, "tensorflow"] as const) {
      const environment = fakeEnvironment(NO_CUDA, LLVMPIPE, { tensorflow: undefined, wasm: undefined });
      await assert.rejects(
        () => selectBackend(requested, environment),
        /TF_ENABLE_ONEDNN_OPTS is "yes", which TensorFlow does not accept\. Set it to 1/,
        String(requested),
      );
      assert.deepEqual(environment.calls, [], "no backend probed or started");
    }
    const wasm = await selectBackend("wasm", fakeEnvironment(NO_CUDA, LLVMPIPE, { wasm: undefined }));
    assert.equal(wasm.name, "wasm", "other backends do not read the variable");
  } finally {
    if (previous === undefined) Deno.env.delete("TF_ENABLE_ONEDNN_OPTS");
    else Deno.env.set("TF_ENABLE_ONEDNN_OPTS", previous);
  }
});
