/**
 * Loads the native pixel pass of the NMI kernel (`native/nmi_kernel.c`) through Deno's
 * FFI, and lays out one workspace's buffers for it.
 *
 * `deno task build-nmi-native` (run by `deno task setup`) compiles the library with the
 * system's C compiler into `native/build/`, and writes a stamp file beside it with the
 * SHA-256 of the C source and of the library. The loader opens the library only when
 * both match. So an edited source never runs as a stale build, and a truncated or
 * replaced library never reaches the dynamic loader, where a truncated file can stop
 * the process with SIGBUS. The NMI functions use the WebAssembly pass where the library
 * is missing, stale or cannot be loaded, and where this module was not loaded from a
 * file. They do so too where Deno runs without FFI permission for the library or read
 * access to `native/`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { nativeSumsProblem } from "./_native_check.ts";

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

/** The shared library that `deno task build-nmi-native` writes. */
export const NATIVE_LIBRARY_URL = new URL(`./native/build/${nativeLibraryName()}`, import.meta.url);

/** Returns the URL of the stamp file of `library`: its name with ".json" added. */
export function nativeStampUrl(library: URL): URL {
  return new URL(`${library.href}.json`);
}

/** Content of the stamp file: SHA-256 digests (hex) of the source and of the library built from it. */
export interface NativeStamp {
  source_sha256: string;
  library_sha256: string;
}

const SYMBOLS = {
  mials_nmi_abi: { parameters: [], result: "i32" },
  mials_nmi_scratch_bytes: { parameters: ["i32", "i32"], result: "i32" },
  mials_nmi_sums: {
    parameters: ["buffer", "buffer", "i32", "i32", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
} as const;

type NativeLibrary = Deno.DynamicLibrary<typeof SYMBOLS>;

let loaded: NativeLibrary | undefined;
let unavailableReason: string | undefined;

/** Returns the SHA-256 (hex) of `data`, as the stamp file records it. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Returns a file URL's path, or its href for other schemes, for messages. */
function shown(url: URL): string {
  return url.protocol === "file:" ? fileURLToPath(url) : url.href;
}

/** Returns why this process may not use `library`, its stamp and `source`, or undefined when it may. */
function permissionProblem(source: URL, library: URL): string | undefined {
  if (source.protocol !== "file:" || library.protocol !== "file:") {
    return `it is loaded from files only, and this module came from ${source.protocol}`;
  }
  const ffi = Deno.permissions.querySync({ name: "ffi", path: library });
  const readable = [source, library, nativeStampUrl(library)].every((url) =>
    Deno.permissions.querySync({ name: "read", path: url }).state === "granted"
  );
  if (ffi.state === "granted" && readable) return undefined;
  return `it needs Deno's --allow-ffi for ${shown(library)} and read access to nmi/native ` +
    "(the deno tasks grant both)";
}

/**
 * Returns why the stamp of `library` does not match it and `source`, or undefined when
 * it matches.
 *
 * NOTE: a library rewritten in place between this check and `dlopen` is not caught.
 * The build never does that: it renames a new file over the old one.
 */
function stampProblem(source: URL, library: URL): string | undefined {
  const rebuild = "Build it with: deno task build-nmi-native";
  let stamp: unknown;
  try {
    stamp = JSON.parse(Deno.readTextFileSync(nativeStampUrl(library)));
  } catch (error) {
    return `${shown(library)} is not built, or its stamp file is unreadable (${
      (error as Error).message
    }). ${rebuild}`;
  }
  if (!isStamp(stamp)) {
    return `the stamp file of ${shown(library)} is malformed: ${JSON.stringify(stamp)}. ${rebuild}`;
  }
  if (stamp.source_sha256 !== sha256Hex(Deno.readTextFileSync(source))) {
    return `${shown(library)} was built from another version of ${shown(source)}. ${rebuild}`;
  }
  if (stamp.library_sha256 !== sha256Hex(Deno.readFileSync(library))) {
    return `${shown(library)} is not the file that the build wrote (its SHA-256 differs). ${rebuild}`;
  }
  return undefined;
}

/** Returns whether `value` has the fields of a {@linkcode NativeStamp}. */
function isStamp(value: unknown): value is NativeStamp {
  const stamp = value as Partial<NativeStamp> | null;
  return typeof stamp === "object" && stamp !== null && typeof stamp.source_sha256 === "string" &&
    typeof stamp.library_sha256 === "string";
}

/**
 * Opens the shared library at `library` after checking its stamp file against it and
 * against the C source at `source`, then checks its floats on fixed images. Returns
 * the library, or why it cannot be used.
 */
export function openNativeLibrary(source: URL, library: URL): NativeLibrary | string {
  const permission = permissionProblem(source, library);
  if (permission !== undefined) return permission;
  let opened: NativeLibrary;
  try {
    const stale = stampProblem(source, library);
    if (stale !== undefined) return stale;
    opened = Deno.dlopen(library, SYMBOLS);
  } catch (error) {
    return `${shown(library)} could not be loaded (${(error as Error).message}). ` +
      "Rebuild it with: deno task build-nmi-native";
  }
  if (opened.symbols.mials_nmi_abi() !== NATIVE_ABI) {
    opened.close();
    return `${
      shown(library)
    } has another ABI version than nmi/_native.ts. Rebuild it with: deno task build-nmi-native`;
  }
  const { mials_nmi_sums, mials_nmi_scratch_bytes } = opened.symbols;
  const floats = nativeSumsProblem(mials_nmi_sums, mials_nmi_scratch_bytes);
  if (floats !== undefined) {
    opened.close();
    return `${shown(library)} gives other floats than the other passes (${floats}). ` +
      "Rebuild it without floating-point flags in CC: deno task build-nmi-native";
  }
  return opened;
}

/**
 * Returns the library, opening it on first use, or undefined when it cannot be used
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
 * Returns undefined when the library cannot be used, or for a shape that it does not
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
