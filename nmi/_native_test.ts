import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { noiseImage } from "../distortions/_testing.ts";
import { referenceNmi } from "../tests/nmi_reference.ts";
import {
  createNativeArena,
  NATIVE_LIBRARY_URL,
  NATIVE_SOURCE_URL,
  nativeKernelUnavailableReason,
  nativeLibraryName,
  nativeStampUrl,
  openNativeLibrary,
  sha256Hex,
} from "./_native.ts";
import { buildCountLog2Count, buildIncrease } from "./_count_tables.ts";
import { nmiPass, normalizedMutualInformation } from "./nmi.ts";

/**
 * Whether the library is missing here. Tests that need it are ignored then, except in
 * CI, where the first test fails.
 */
const notBuilt = nativeKernelUnavailableReason() !== undefined;

Deno.test({
  name: "native pass loads in CI",
  ignore: Deno.env.get("CI") !== "true",
  fn: () => assert.equal(nativeKernelUnavailableReason(), undefined),
});

Deno.test("nativeLibraryName per operating system", () => {
  assert.equal(nativeLibraryName("linux"), "libmials_nmi.so");
  assert.equal(nativeLibraryName("darwin"), "libmials_nmi.dylib");
  assert.equal(nativeLibraryName("windows"), "mials_nmi.dll");
});

Deno.test("sha256Hex of text and bytes", () => {
  const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert.equal(sha256Hex("abc"), abc);
  assert.equal(sha256Hex(new TextEncoder().encode("abc")), abc);
});

Deno.test("openNativeLibrary reports a missing library", () => {
  const missing = new URL("./native/build/no-such-library.so", import.meta.url);
  const reason = openNativeLibrary(NATIVE_SOURCE_URL, missing);
  assert.equal(typeof reason, "string");
  assert.match(reason as string, /no-such-library\.so is not built, or its stamp file is unreadable/);
  assert.match(reason as string, /Build it with: deno task build-nmi-native/);
});

Deno.test("openNativeLibrary rejects non-file URLs", () => {
  const remote = new URL("https://example.com/nmi/native/nmi_kernel.c");
  const reason = openNativeLibrary(remote, NATIVE_LIBRARY_URL);
  assert.match(reason as string, /loaded from files only, and this module came from https:/);
});

/** Copies the built library and its stamp into a new temporary folder and returns the copy's URL. */
function copyOfLibrary(): URL {
  const folder = Deno.makeTempDirSync();
  const library = new URL(`file://${folder}/${nativeLibraryName()}`);
  Deno.copyFileSync(NATIVE_LIBRARY_URL, library);
  Deno.copyFileSync(nativeStampUrl(NATIVE_LIBRARY_URL), nativeStampUrl(library));
  return library;
}

Deno.test({
  name: "openNativeLibrary checks the stamp first",
  ignore: notBuilt,
  fn: () => {
    const library = copyOfLibrary();
    try {
      const opened = openNativeLibrary(NATIVE_SOURCE_URL, library);
      assert.notEqual(typeof opened, "string", String(opened));
      (opened as { close(): void }).close();
      // A truncated library can stop the process with SIGBUS inside dlopen, so it must be caught before.
      const bytes = Deno.readFileSync(library);
      Deno.writeFileSync(library, bytes.subarray(0, 10000));
      const reason = openNativeLibrary(NATIVE_SOURCE_URL, library);
      assert.match(reason as string, /is not the file that the build wrote \(its SHA-256 differs\)/);
      Deno.removeSync(nativeStampUrl(library));
      assert.match(
        openNativeLibrary(NATIVE_SOURCE_URL, library) as string,
        /is not built, or its stamp file/,
      );
    } finally {
      Deno.removeSync(new URL(".", library), { recursive: true });
    }
  },
});

Deno.test({
  name: "openNativeLibrary rejects a stale library",
  ignore: notBuilt,
  fn: () => {
    const edited = Deno.makeTempFileSync({ suffix: ".c" });
    try {
      Deno.writeTextFileSync(edited, `${Deno.readTextFileSync(NATIVE_SOURCE_URL)}\n/* edited */\n`);
      const reason = openNativeLibrary(new URL(`file://${edited}`), NATIVE_LIBRARY_URL);
      assert.equal(typeof reason, "string");
      assert.match(
        reason as string,
        /was built from another version of .*Build it with: deno task build-nmi-native/,
      );
    } finally {
      Deno.removeSync(edited);
    }
  },
});

/** Tables of a workspace for `pixels` pixels. */
function tables(pixels: number): { countLog2Count: Float64Array; increase: Float64Array } {
  const countLog2Count = buildCountLog2Count(pixels);
  return { countLog2Count, increase: buildIncrease(countLog2Count) };
}

Deno.test({
  name: "createNativeArena shape limits",
  ignore: notBuilt,
  fn: () => {
    const takes = (bins: number, pixels: number) =>
      createNativeArena(bins, pixels, tables(pixels)) !== undefined;
    assert.ok(takes(64, 64));
    assert.ok(!takes(64, 63), "more than 64 cells per pixel");
    assert.ok(takes(64, 255 * 255));
    assert.ok(!takes(64, 65536), "counts would not fit Uint16");
    assert.ok(takes(256, 4096));
    assert.ok(!takes(257, 65535), "cell indices would not fit Uint16");
    assert.ok(takes(2, 1));
    assert.throws(() => createNativeArena(64, 1024, tables(1000)), /tables for 1000 pixels, images of 1024/);
  },
});

Deno.test({
  name: "native pass checks image length",
  ignore: notBuilt,
  fn: () => {
    const arena = createNativeArena(64, 100, tables(100));
    assert.ok(arena !== undefined);
    const image = noiseImage(10, 10, 1);
    assert.throws(
      () => arena.run(image, image.subarray(3)),
      /expected 300 values per image, got 300 and 297/,
    );
    arena.run(image, image);
    // An image against itself: its joint counts are its marginal counts.
    const [joint, clean, degraded, cleanBins, degradedBins] = arena.sums;
    assert.ok(Math.abs(joint - clean) < 1e-9, `joint ${joint}, clean ${clean}`);
    assert.equal(clean, degraded);
    assert.ok(cleanBins > 1, `clean bins ${cleanBins}`);
    assert.equal(cleanBins, degradedBins);
  },
});

/** Returns a copy of `image` with special values: NaN, infinities, -0, 1, the float below 1, a subnormal, negatives. */
function withSpecialValues(image: Float32Array): Float32Array {
  const special = [NaN, Infinity, -Infinity, -0, 1, 0.99999994, 1e-45, -0.25, 1.5];
  return image.map((value, i) => (i % 5 === 0 ? special[(i / 5) % special.length] : value));
}

Deno.test({
  name: "native pass matches wasm at edges",
  ignore: notBuilt,
  fn: () => {
    const cases: [number, number, number][] = [
      [8, 8, 64],
      [32, 32, 64],
      [32, 32, 100],
      [224, 224, 64],
      [255, 255, 64],
      [64, 64, 256],
      [5, 7, 2],
      [32, 32, 255],
      [255, 255, 255],
      [32, 32, 3],
      [20, 20, 129],
    ];
    for (const [height, width, bins] of cases) {
      assert.equal(nmiPass("native", bins, height * width), "native", `${height} x ${width}, ${bins} bins`);
      const clean = withSpecialValues(noiseImage(height, width, height + bins));
      const degraded = noiseImage(height, width, width + 2 * bins);
      const native = normalizedMutualInformation(clean, degraded, { bins, kernel: "native" });
      const wasm = normalizedMutualInformation(clean, degraded, { bins, kernel: "wasm" });
      const label = `${height} x ${width}, ${bins} bins`;
      assert.ok(Object.is(native, wasm), `${label}: native ${native}, wasm ${wasm}`);
      assert.ok(Math.abs(native - referenceNmi(clean, degraded, bins)) <= 1e-9, label);
    }
  },
});

/** Runs `source` as a script in a new Deno process with `permissions` and returns its exit code and output. */
async function runScript(
  permissions: string[],
  source: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(script, source);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-check", ...permissions, script],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout).trim(),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    await Deno.remove(script);
  }
}

const NMI_MODULE = new URL("./nmi.ts", import.meta.url).href;

/** Returns the default NMI kernel and one NMI value, as printed by a process with `permissions`. */
async function defaultKernelWith(permissions: string[]): Promise<string> {
  const { code, stdout, stderr } = await runScript(
    permissions,
    `import { defaultNmiKernel, normalizedMutualInformation } from "${NMI_MODULE}";
const image = new Float32Array(32 * 32 * 3).map((_, i) => (i * 37 % 101) / 101);
console.log(defaultNmiKernel(), normalizedMutualInformation(image, image.map((v) => v / 2)));`,
  );
  assert.equal(code, 0, stderr);
  return stdout;
}

const READ_REPOSITORY = `--allow-read=${fileURLToPath(new URL("..", import.meta.url))}`;

Deno.test("without FFI permission, wasm runs", async () => {
  assert.match(await defaultKernelWith([READ_REPOSITORY]), /^wasm 0\.\d+$/);
  assert.match(await defaultKernelWith([READ_REPOSITORY, "--deny-ffi"]), /^wasm 0\.\d+$/);
});

Deno.test("without FFI permission, native is an error", async () => {
  const call = await runScript(
    [READ_REPOSITORY],
    `import { normalizedMutualInformation } from "${NMI_MODULE}";
const image = new Float32Array(300);
try {
  normalizedMutualInformation(image, image, { kernel: "native" });
} catch (error) {
  console.log(String(error));
}`,
  );
  assert.match(
    call.stdout,
    /^Error: normalizedMutualInformation: kernel "native" cannot run: it needs Deno's --allow-ffi/,
  );
  assert.match(call.stdout, /, or pass kernel: "wasm"$/);
  const bench = await runScript(
    [READ_REPOSITORY],
    `import { runNmiBench } from "${new URL("./benchmark.ts", import.meta.url).href}";
Deno.exit(await runNmiBench(["--quick", "--kernel", "native"]));`,
  );
  assert.equal(bench.code, 2, bench.stdout);
  assert.match(bench.stderr, /--kernel native cannot run here: it needs Deno's --allow-ffi/);
});

Deno.test({
  name: "FFI permission for the library suffices",
  ignore: notBuilt,
  fn: async () => {
    const ffi = `--allow-ffi=${fileURLToPath(NATIVE_LIBRARY_URL)}`;
    const [native, wasm] = [
      await defaultKernelWith([READ_REPOSITORY, ffi]),
      await defaultKernelWith([READ_REPOSITORY]),
    ];
    assert.match(native, /^native 0\.\d+$/);
    assert.equal(native.split(" ")[1], wasm.split(" ")[1], "the same NMI from both passes");
  },
});
