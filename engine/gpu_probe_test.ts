import assert from "node:assert/strict";
import {
  type CommandResult,
  DENO_SYSTEM,
  findSharedLibrary,
  probeCudaDevice,
  probeWebGpuAdapter,
  probeWebGpuInSubprocess,
  type SystemAccess,
  type WebGpuAdapterInfo,
  type WebGpuEntryPoint,
} from "./gpu_probe.ts";

interface FakeSystemOptions {
  /** Entries of /dev, or an error that reading it throws. */
  dev?: string[] | Error;
  /** Results by program name. A program not listed returns null, and an Error result is thrown. */
  commands?: Record<string, CommandResult | Error>;
  files?: string[];
  env?: Record<string, string>;
}

function fakeSystem(options: FakeSystemOptions): SystemAccess & { ran: string[] } {
  const ran: string[] = [];
  return {
    ran,
    readDirectory(path) {
      if (path !== "/dev") return Promise.reject(new Error(`unexpected folder ${path}`));
      if (options.dev instanceof Error) return Promise.reject(options.dev);
      return Promise.resolve(options.dev ?? []);
    },
    exists: (path) => Promise.resolve((options.files ?? []).includes(path)),
    run(program, args) {
      ran.push([program, ...args].join(" "));
      const result = options.commands?.[program];
      if (result instanceof Error) return Promise.reject(result);
      return Promise.resolve(result ?? null);
    },
    env: (name) => options.env?.[name],
  };
}

const ok = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: "" });

Deno.test("probeCudaDevice finds /dev/nvidia0", async () => {
  const system = fakeSystem({ dev: ["null", "nvidiactl", "nvidia-uvm", "nvidia0"] });
  assert.deepEqual(await probeCudaDevice(system), { visible: true, detail: "/dev/nvidia0" });
  assert.deepEqual(system.ran, []);
});

Deno.test("probeCudaDevice accepts another device number", async () => {
  const result = await probeCudaDevice(fakeSystem({ dev: ["nvidiactl", "nvidia3"] }));
  assert.deepEqual(result, { visible: true, detail: "/dev/nvidia3" });
});

Deno.test("probeCudaDevice ignores nvidiactl alone", async () => {
  const result = await probeCudaDevice(fakeSystem({ dev: ["nvidiactl", "nvidia-uvm"] }));
  assert.equal(result.visible, false);
  assert.equal(result.detail, "no /dev/nvidia*, nvidia-smi not found");
});

Deno.test("probeCudaDevice falls back to nvidia-smi -L", async () => {
  const line = "GPU 0: NVIDIA H200 (UUID: GPU-0123)";
  const system = fakeSystem({ dev: ["null"], commands: { "nvidia-smi": ok(`${line}\n`) } });
  assert.deepEqual(await probeCudaDevice(system), { visible: true, detail: line });
  assert.deepEqual(system.ran, ["nvidia-smi -L"]);
});

Deno.test("probeCudaDevice reports a failing nvidia-smi", async () => {
  const message = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.";
  const system = fakeSystem({
    commands: { "nvidia-smi": { code: 9, stdout: "", stderr: `${message}\nMore.` } },
  });
  const result = await probeCudaDevice(system);
  assert.equal(result.visible, false);
  assert.equal(result.detail, `no /dev/nvidia*, nvidia-smi -L failed (exit 9: ${message})`);
});

Deno.test("probeCudaDevice rejects nvidia-smi without GPU lines", async () => {
  const result = await probeCudaDevice(fakeSystem({ commands: { "nvidia-smi": ok("No devices found.\n") } }));
  assert.equal(result.visible, false);
  assert.equal(result.detail, "no /dev/nvidia*, nvidia-smi -L listed no GPU");
});

Deno.test("probeCudaDevice survives denied permissions", async () => {
  const system = fakeSystem({
    dev: new Error('Requires read access to "/dev"'),
    commands: { "nvidia-smi": new Error('Requires run access to "nvidia-smi"\nstack') },
  });
  const result = await probeCudaDevice(system);
  assert.equal(result.visible, false);
  assert.equal(
    result.detail,
    '/dev not readable (Requires read access to "/dev"), nvidia-smi not run (Requires run access to "nvidia-smi")',
  );
});

const LDCONFIG_OUTPUT = [
  "812 libs found in cache `/etc/ld.so.cache'",
  "\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8",
  "\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12",
  "",
].join("\n");

Deno.test("findSharedLibrary searches LD_LIBRARY_PATH first", async () => {
  const system = fakeSystem({
    env: { LD_LIBRARY_PATH: "/opt/a::/opt/cuda-11.2/lib64" },
    files: ["/opt/cuda-11.2/lib64/libcudnn.so.8"],
    commands: { ldconfig: ok(LDCONFIG_OUTPUT) },
  });
  assert.equal(await findSharedLibrary("libcudnn.so.8", system), "/opt/cuda-11.2/lib64/libcudnn.so.8");
  assert.deepEqual(system.ran, []);
});

Deno.test("findSharedLibrary reads the loader cache", async () => {
  const system = fakeSystem({ commands: { ldconfig: ok(LDCONFIG_OUTPUT) } });
  assert.equal(await findSharedLibrary("libcudnn.so.8", system), "/usr/lib/x86_64-linux-gnu/libcudnn.so.8");
});

Deno.test("findSharedLibrary matches the whole file name", async () => {
  const system = fakeSystem({ commands: { ldconfig: ok(LDCONFIG_OUTPUT) } });
  assert.equal(await findSharedLibrary("libcudart.so.11.0", system), null);
  assert.deepEqual(system.ran, ["ldconfig -p"]);
});

Deno.test("findSharedLibrary tries /sbin/ldconfig", async () => {
  const system = fakeSystem({ commands: { "/sbin/ldconfig": ok(LDCONFIG_OUTPUT) } });
  assert.equal(await findSharedLibrary("libcudnn.so.8", system), "/usr/lib/x86_64-linux-gnu/libcudnn.so.8");
});

Deno.test("findSharedLibrary checks default folders last", async () => {
  const system = fakeSystem({
    commands: {
      ldconfig: new Error("Requires run access"),
      "/sbin/ldconfig": new Error("Requires run access"),
    },
    files: ["/usr/lib64/libcudart.so.11.0"],
  });
  assert.equal(await findSharedLibrary("libcudart.so.11.0", system), "/usr/lib64/libcudart.so.11.0");
});

function fakeGpu(
  adapter: Partial<WebGpuAdapterInfo> | null | Error,
): WebGpuEntryPoint & { options: unknown[] } {
  const options: unknown[] = [];
  return {
    options,
    requestAdapter(requestOptions) {
      options.push(requestOptions);
      if (adapter instanceof Error) return Promise.reject(adapter);
      if (adapter === null) return Promise.resolve(null);
      return Promise.resolve({
        info: { vendor: "", architecture: "", device: "", description: "", ...adapter },
      });
    },
  };
}

Deno.test("probeWebGpuAdapter without navigator.gpu", async () => {
  const result = await probeWebGpuAdapter(undefined);
  assert.deepEqual(result, {
    kind: "none",
    reason: "navigator.gpu is undefined (this runtime has no WebGPU)",
  });
});

Deno.test("probeWebGpuAdapter with no adapter", async () => {
  const gpu = fakeGpu(null);
  assert.deepEqual(await probeWebGpuAdapter(gpu), { kind: "none", reason: "requestAdapter() returned null" });
  assert.deepEqual(gpu.options, [{ powerPreference: "high-performance" }]);
});

Deno.test("probeWebGpuAdapter when requestAdapter throws", async () => {
  const result = await probeWebGpuAdapter(fakeGpu(new Error("instance lost\ndetails")));
  assert.deepEqual(result, { kind: "none", reason: "requestAdapter() failed (instance lost)" });
});

Deno.test("probeWebGpuAdapter marks a fallback adapter as software", async () => {
  const gpu = fakeGpu({ description: "Some CPU adapter", isFallbackAdapter: true });
  assert.deepEqual(await probeWebGpuAdapter(gpu), { kind: "software", adapter: "Some CPU adapter" });
});

Deno.test("probeWebGpuAdapter knows llvmpipe by name", async () => {
  const gpu = fakeGpu({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" });
  assert.deepEqual(
    await probeWebGpuAdapter(gpu),
    { kind: "software", adapter: "llvmpipe (LLVM 15.0.6, 256 bits)" },
  );
});

Deno.test("probeWebGpuAdapter accepts a GPU", async () => {
  const gpu = fakeGpu({ description: "NVIDIA H200", vendor: "4318", isFallbackAdapter: false });
  assert.deepEqual(await probeWebGpuAdapter(gpu), { kind: "hardware", adapter: "NVIDIA H200" });
});

Deno.test("probeWebGpuAdapter names an adapter without description", async () => {
  const gpu = fakeGpu({ vendor: "4318", device: "8989" });
  assert.deepEqual(await probeWebGpuAdapter(gpu), { kind: "hardware", adapter: "vendor 4318 device 8989" });
});

Deno.test("probeWebGpuInSubprocess reports a missing adapter", async () => {
  // Deno 2.9.6 reads DENO_WEBGPU_BACKEND, and the Vulkan loader finds no driver in a missing file.
  const result = await probeWebGpuInSubprocess({
    DENO_WEBGPU_BACKEND: "vulkan",
    VK_DRIVER_FILES: "/nonexistent/icd.json",
    VK_ICD_FILENAMES: "/nonexistent/icd.json",
  });
  assert.deepEqual(result, { kind: "none", reason: "requestAdapter() returned null" });
});

Deno.test("DENO_SYSTEM reads files and runs programs", async () => {
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${folder}/present.txt`, "x");
    assert.deepEqual(await DENO_SYSTEM.readDirectory(folder), ["present.txt"]);
    assert.equal(await DENO_SYSTEM.exists(`${folder}/present.txt`), true);
    assert.equal(await DENO_SYSTEM.exists(`${folder}/absent.txt`), false);
    assert.equal(await DENO_SYSTEM.run(`${folder}/no-such-program`, []), null);
    const echo = await DENO_SYSTEM.run("sh", ["-c", "echo out; echo err >&2; exit 3"]);
    assert.deepEqual(echo, { code: 3, stdout: "out\n", stderr: "err\n" });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
