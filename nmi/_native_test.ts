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
import { normalizedMutualInformation } from "./nmi.ts";

/**
 * Whether the library is missing here. Tests that need it are ignored then, except in
 * CI, where the first test fails.
 */
const notBuilt = nativeKernelUnavailableReason() !== undefined;

Deno.test({
  name: "the native pass is built and loads where CI runs the tests",
  ignore: Deno.env.get("CI") !== "true",
  fn: () => assert.equal(nativeKernelUnavailableReason(), undefined),
});

Deno.test("nativeLibraryName follows the operating system", () => {
  assert.equal(nativeLibraryName("linux"), "libmials_nmi.so");
  assert.equal(nativeLibraryName("darwin"), "libmials_nmi.dylib");
  assert.equal(nativeLibraryName("windows"), "mials_nmi.dll");
});

Deno.test("sha256Hex digests text and bytes alike", () => {
  const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert.equal(sha256Hex("abc"), abc);
  assert.equal(sha256Hex(new TextEncoder().encode("abc")), abc);
});

Deno.test("openNativeLibrary names a missing library and the command that builds it", () => {
  const missing = new URL("./native/build/no-such-library.so", import.meta.url);
  const reason = openNativeLibrary(NATIVE_SOURCE_URL, missing);
  assert.equal(typeof reason, "string");
  assert.match(reason as string, /no-such-library\.so is not built, or its stamp file is unreadable/);
  assert.match(reason as string, /Build it with: deno task build-nmi-native/);
});

Deno.test("openNativeLibrary loads only from files", () => {
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
  name: "openNativeLibrary checks the library against its stamp before loading it",
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
  name: "openNativeLibrary refuses a library built from another source",
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

/** Tables of a workspace for `pixels` pixels, as `_workspace.ts` builds them. */
function tables(pixels: number): { countLog2Count: Float64Array; increase: Float64Array } {
  const countLog2Count = new Float64Array(pixels + 1);
  for (let count = 2; count <= pixels; count++) countLog2Count[count] = count * Math.log2(count);
  return {
    countLog2Count,
    increase: countLog2Count.slice(1).map((value, count) => value - countLog2Count[count]),
  };
}

Deno.test({
  name: "createNativeArena takes 8 x 8 to 255 x 255 pixels with 64 bins, and up to 256 bins",
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
  name: "the native pass checks the image length before it calls the library",
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
  name: "the native pass gives the WebAssembly pass's floats at the edges of its shapes",
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
      [16, 16, 255],
      [32, 32, 3],
    ];
    for (const [height, width, bins] of cases) {
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

/**
 * Runs a script in a new Deno process with `permissions` that prints the default NMI
 * kernel and one NMI value, and returns its output.
 */
async function defaultKernelWith(permissions: string[]): Promise<string> {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    const nmi = new URL("./nmi.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { defaultNmiKernel, normalizedMutualInformation } from "${nmi}";
const image = new Float32Array(32 * 32 * 3).map((_, i) => (i * 37 % 101) / 101);
console.log(defaultNmiKernel(), normalizedMutualInformation(image, image.map((v) => v / 2)));`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-check", ...permissions, script],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    return new TextDecoder().decode(output.stdout).trim();
  } finally {
    await Deno.remove(script);
  }
}

const READ_REPOSITORY = `--allow-read=${fileURLToPath(new URL("..", import.meta.url))}`;

Deno.test("without --allow-ffi the NMI functions run in WebAssembly", async () => {
  assert.match(await defaultKernelWith([READ_REPOSITORY]), /^wasm 0\.\d+$/);
  assert.match(await defaultKernelWith([READ_REPOSITORY, "--deny-ffi"]), /^wasm 0\.\d+$/);
});

Deno.test({
  name: "FFI permission for the library alone is enough",
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
