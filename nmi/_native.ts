/**
 * Loads the native pixel pass of the NMI kernel (`native/nmi_kernel.c`) through Deno's
 * FFI, and lays out one workspace's buffers for it.
 *
 * `deno task build-nmi-native` (run by `deno task setup`) compiles the library with the
 * system's C compiler into `native/build/`. It records the SHA-256 of the C source it
 * was built from, and the library is used only when that matches the source next to
 * it, so an edited source is never served by a stale build. Where the library is
 * missing, stale, or cannot be loaded, or Deno runs without `--allow-ffi` and read
 * access to this folder, the NMI functions use the WebAssembly pass.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

const CHANNELS = 3;

/** ABI version that the C source defines as MIALS_NMI_ABI. Both change together. */
const NATIVE_ABI = 1;

/** Float64 entries that `mials_nmi_sums` writes per channel: three sums and two bin counts. */
export const NATIVE_RECORD_LENGTH = 5;

/** The C source of the native pass. */
export const NATIVE_SOURCE_URL = new URL("./native/nmi_kernel.c", import.meta.url);

/** Returns the file name of the shared library on this operating system. */
export function nativeLibraryName(os: typeof Deno.build.os = Deno.build.os): string {
  if (os === "windows") return "mials_nmi.dll";
  return os === "darwin" ? "libmials_nmi.dylib" : "libmials_nmi.so";
}

/** Path of the shared library that `deno task build-nmi-native` writes. */
export const NATIVE_LIBRARY_URL = new URL(`./native/build/${nativeLibraryName()}`, import.meta.url);

/** File paths of {@linkcode NATIVE_SOURCE_URL} and {@linkcode NATIVE_LIBRARY_URL}. */
export const NATIVE_SOURCE_PATH = fileURLToPath(NATIVE_SOURCE_URL);
export const NATIVE_LIBRARY_PATH = fileURLToPath(NATIVE_LIBRARY_URL);

const SYMBOLS = {
  mials_nmi_abi: { parameters: [], result: "i32" },
  mials_nmi_source_sha256: { parameters: [], result: "pointer" },
  mials_nmi_scratch_bytes: { parameters: ["i32", "i32"], result: "i32" },
  mials_nmi_sums: {
    parameters: ["buffer", "buffer", "i32", "i32", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
} as const;

type NativeLibrary = Deno.DynamicLibrary<typeof SYMBOLS>;

let loaded: NativeLibrary | undefined;
let unavailableReason: string | undefined;

/** Returns the SHA-256 (hex) of the C source text `source`, as the build records it. */
export function nativeSourceDigest(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

/** Returns why this process may not load `library` or read `source`, or undefined when it may. */
function permissionProblem(source: URL, library: URL): string | undefined {
  const ffi = Deno.permissions.querySync({ name: "ffi", path: library });
  const read = Deno.permissions.querySync({ name: "read", path: source });
  if (ffi.state === "granted" && read.state === "granted") return undefined;
  return "it needs Deno's --allow-ffi and read access to nmi/native (the deno tasks grant both)";
}

/** Returns the source digest recorded in `library`, or undefined when it records none. */
function recordedDigest(library: NativeLibrary): string | undefined {
  const pointer = library.symbols.mials_nmi_source_sha256();
  return pointer === null ? undefined : Deno.UnsafePointerView.getCString(pointer);
}

/**
 * Opens the shared library at `library` and checks that it was built from the C
 * source at `source`. Returns the library, or why it cannot serve.
 */
export function openNativeLibrary(source: URL, library: URL): NativeLibrary | string {
  const permission = permissionProblem(source, library);
  if (permission !== undefined) return permission;
  const libraryPath = fileURLToPath(library);
  let text: string;
  try {
    text = Deno.readTextFileSync(source);
  } catch (error) {
    return `its source ${fileURLToPath(source)} could not be read (${(error as Error).message})`;
  }
  let opened: NativeLibrary;
  try {
    opened = Deno.dlopen(library, SYMBOLS);
  } catch (error) {
    return `${libraryPath} could not be loaded (${
      (error as Error).message
    }). Build it with: deno task build-nmi-native`;
  }
  if (opened.symbols.mials_nmi_abi() !== NATIVE_ABI || recordedDigest(opened) !== nativeSourceDigest(text)) {
    opened.close();
    return `${libraryPath} was built from another version of ${fileURLToPath(source)}. ` +
      "Rebuild it with: deno task build-nmi-native";
  }
  return opened;
}

/**
 * Returns the library, opening it on first use, or undefined when it cannot serve
 * (see {@linkcode nativeKernelUnavailableReason}).
 */
function nativeLibrary(): NativeLibrary | undefined {
  if (loaded === undefined && unavailableReason === undefined) {
    const opened = openNativeLibrary(NATIVE_SOURCE_URL, NATIVE_LIBRARY_URL);
    if (typeof opened === "string") unavailableReason = opened;
    else loaded = opened;
  }
  return loaded;
}

/** Returns why the native pass cannot run in this process, or undefined when it can. */
export function nativeKernelUnavailableReason(): string | undefined {
  nativeLibrary();
  return unavailableReason;
}

/** Tables of the workspace that the native pass reads: see `NmiWorkspace`. */
export interface NativeTables {
  countLog2Count: Float64Array;
  increase: Float64Array;
}

/** One workspace's buffers for the native pass. */
export interface NativeArena {
  /**
   * Counts one image pair of the workspace's shape (exactly `pixels` RGB pixels each)
   * and fills `sums`.
   */
  run(clean: Float32Array, degraded: Float32Array): void;
  /**
   * Per channel c, from entry {@linkcode NATIVE_RECORD_LENGTH} x c: the sums of c log2 c
   * over the joint, clean and degraded counts, then the nonzero clean and degraded bins.
   */
  sums: Float64Array;
}

/**
 * Creates the buffers of the native pass for `bins` bins and images of `pixels` pixels.
 * Returns undefined when the library cannot serve, or for a shape that it does not
 * take: it takes at most 256 bins, fewer than 65,536 pixels and at most 64 joint cells
 * per pixel (8 x 8 to 255 x 255 pixels with 64 bins).
 */
export function createNativeArena(
  bins: number,
  pixels: number,
  tables: NativeTables,
): NativeArena | undefined {
  const library = nativeLibrary();
  if (library === undefined) return undefined;
  const bytes = library.symbols.mials_nmi_scratch_bytes(pixels, bins);
  if (bytes < 0) return undefined;
  const { countLog2Count, increase } = tables;
  if (countLog2Count.length !== pixels + 1 || increase.length !== pixels) {
    throw new RangeError(
      `createNativeArena: tables for ${countLog2Count.length - 1} pixels, images of ${pixels}`,
    );
  }
  const scratch = new Uint8Array(bytes);
  const sums = new Float64Array(CHANNELS * NATIVE_RECORD_LENGTH);
  const { mials_nmi_sums } = library.symbols;
  return {
    run(clean, degraded) {
      if (clean.length !== CHANNELS * pixels || degraded.length !== CHANNELS * pixels) {
        throw new RangeError(
          `native NMI pass: expected ${
            CHANNELS * pixels
          } values per image, got ${clean.length} and ${degraded.length}`,
        );
      }
      if (mials_nmi_sums(clean, degraded, pixels, bins, countLog2Count, increase, scratch, sums) !== 0) {
        throw new Error(`native NMI pass: rejected ${pixels} pixels with ${bins} bins`);
      }
    },
    sums,
  };
}
