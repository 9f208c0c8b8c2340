/**
 * Normalized mutual information between a clean image and a degraded copy, per RGB
 * channel from a joint histogram, averaged over the channels.
 *
 * NMI_c = 2 I(X; Y) / (H(X) + H(Y)) in [0, 1], where X and Y are the binned values of
 * channel c in the clean and the degraded image. 1 means the degraded channel carries
 * all the information of the clean one, 0 means none.
 *
 * NOTE: this plug-in histogram estimate is biased upward when the pixel count N is small
 * next to bins * bins, by roughly (bins - 1)^2 / (2 N ln 2) bits of I(X; Y). For two
 * independent uniform-noise images with 64 bins it gave NMI 0.36 at 32 x 32 pixels,
 * 0.13 at 64 x 64 and 0.03 at 128 x 128, measured on one pair of images each.
 * Fewer bins lower the bias on small images.
 *
 * @module
 */

import { type SmallSums, type WasmArena, wasmKernelUnavailableReason } from "./_kernel.ts";
import { NATIVE_RECORD_LENGTH, type NativeArena, nativeKernelUnavailableReason } from "./_native.ts";
import { describeValue, type NmiOptions, resolveNmiBins } from "./_options.ts";
import { getWorkspace, type NmiWorkspace, workspaceNativeArena } from "./_workspace.ts";
import {
  clearSmallImageJoints,
  countLargeImage,
  countSmallImage,
  type ImagePair,
  sumCountLog2CountAndReset,
  summarizeJoints,
} from "./_typescript_pass.ts";

export { DEFAULT_NMI_BINS, MAX_NMI_BINS, MAX_NMI_BINS_OPTION, type NmiOptions } from "./_options.ts";

const CHANNELS = 3;

/**
 * Implementation of the pass over the pixels. "native" is compiled C loaded through
 * Deno's FFI (`native/nmi_kernel.c`, see `_native.ts`). "wasm" is WebAssembly with
 * 4-lane SIMD (`_kernel_wat.ts`), and "typescript" the loops of `_typescript_pass.ts`.
 * All give the same results. The entropies and the NMI from their sums are shared
 * TypeScript.
 */
export type NmiKernel = "native" | "wasm" | "typescript";

/** Every {@linkcode NmiKernel}, the fastest first. */
export const NMI_KERNELS: readonly NmiKernel[] = ["native", "wasm", "typescript"];

/** Options of the typed-array NMI functions. */
export interface NmiKernelOptions extends NmiOptions {
  /**
   * Pixel pass implementation. Default: "native" where its library is built and
   * loads, otherwise "wasm" where this runtime compiles it and the histograms fit in 2
   * GiB of WebAssembly memory that can be allocated, otherwise "typescript". The
   * native pass takes images of fewer than 65,536 pixels with at most 256 bins and at
   * most 64 joint cells per pixel (8 x 8 to 255 x 255 pixels with 64 bins). For other
   * images, "native" runs the WebAssembly pass, or the TypeScript one.
   */
  kernel?: NmiKernel;
}

/**
 * Returns the kernel that the NMI functions use by default in this runtime, for images
 * that the native pass takes (see {@linkcode NmiKernelOptions}) and bin counts whose
 * histograms fit in 2 GiB (up to about 13,000 bins).
 */
export function defaultNmiKernel(): NmiKernel {
  // The TypeScript pass always runs, so the list is never empty.
  return availableNmiKernels()[0];
}

/** Returns why `kernel` cannot run in this process, or undefined when it can. */
export function nmiKernelUnavailableReason(kernel: NmiKernel): string | undefined {
  if (kernel === "native") return nativeKernelUnavailableReason();
  return kernel === "wasm" ? wasmKernelUnavailableReason() : undefined;
}

/** Returns the kernels that can run in this process, in the order of {@linkcode NMI_KERNELS}. */
export function availableNmiKernels(): NmiKernel[] {
  return NMI_KERNELS.filter((kernel) => nmiKernelUnavailableReason(kernel) === undefined);
}

/**
 * Returns a channel's NMI from the sums S of c log2 c over its clean, degraded and
 * joint counts and its nonzero clean and degraded bins.
 *
 * With n pixels, a histogram's entropy in bits is H = log2 n - S / n (0 log2 0 = 0,
 * the limit as c -> 0). So H(X) + H(Y) = 2 log2 n - (Sx + Sy) / n and
 * I(X; Y) = H(X) + H(Y) - H(X, Y) = log2 n - (Sx + Sy - Sxy) / n.
 *
 * NOTE: these differences lose digits when the entropies are tiny next to log2 n. For
 * near-constant channels of very large images the result can then be off by more than
 * 1e-9: by 2.2e-9 at 8192 x 8192 pixels with one or two differing pixels, against an
 * exact computation in 60-digit decimals.
 */
function channelNmi(workspace: NmiWorkspace, sums: ChannelSums): number {
  const { pixels, log2Pixels } = workspace;
  // A constant channel has entropy 0 and shares no information: I <= min(H(X), H(Y)).
  // Both constant means nothing was lost, so NMI is 1 rather than 0 / 0. Testing the
  // bin counts keeps these cases exact, where the formulas below could leave rounding
  // residues of about 1e-16.
  if (sums.cleanBins === 1 || sums.degradedBins === 1) {
    return sums.cleanBins === 1 && sums.degradedBins === 1 ? 1 : 0;
  }
  const marginalSum = sums.clean + sums.degraded;
  const entropySum = 2 * log2Pixels - marginalSum / pixels;
  const information = log2Pixels - (marginalSum - sums.joint) / pixels;
  return (2 * information) / entropySum;
}

/** Sums of c log2 c over a channel's clean, degraded and joint counts, and its nonzero marginal bins. */
interface ChannelSums {
  clean: number;
  degraded: number;
  joint: number;
  cleanBins: number;
  degradedBins: number;
}

/** Returns the NMI of channel `channel` from the workspace's counts, and sets its marginal counts back to zero. */
function channelNmiAndReset(workspace: NmiWorkspace, channel: number): number {
  const { occupiedBins } = workspace;
  const clean = sumCountLog2CountAndReset(workspace, 2 * channel, 0);
  const degraded = sumCountLog2CountAndReset(workspace, 2 * channel + 1, 1);
  const joint = workspace.jointSums[channel];
  return channelNmi(workspace, {
    clean,
    degraded,
    joint,
    cleanBins: occupiedBins[0],
    degradedBins: occupiedBins[1],
  });
}

/**
 * Returns the channel-averaged NMI of a small image pair through the WebAssembly
 * kernel's one-call path, which counts it and returns every sum (see `_kernel.ts`).
 */
function summedImageNmi(
  pair: ImagePair,
  workspace: NmiWorkspace,
  arena: WasmArena,
  summed: SmallSums,
): number {
  copyIntoArena(pair, arena, pair.offset, pair.offset + workspace.pixels * CHANNELS);
  summed.run();
  const { sums, occupied } = summed;
  let sum = 0;
  for (let c = 0; c < CHANNELS; c++) {
    sum += channelNmi(workspace, {
      joint: sums[4 * c],
      clean: sums[4 * c + 1],
      degraded: sums[4 * c + 2],
      cleanBins: occupied[8 * c + 6],
      degradedBins: occupied[8 * c + 7],
    });
  }
  return sum;
}

/**
 * Returns the channel-averaged NMI of an image pair through the native pass, which
 * reads the caller's arrays in place and returns every sum (see `_native.ts`).
 */
function nativeImageNmi(pair: ImagePair, workspace: NmiWorkspace, native: NativeArena): number {
  const { clean, degraded, offset } = pair;
  const length = workspace.pixels * CHANNELS;
  if (offset === 0 && clean.length === length) native.run(clean, degraded);
  else native.run(clean.subarray(offset, offset + length), degraded.subarray(offset, offset + length));
  const { sums } = native;
  let sum = 0;
  for (let c = 0; c < CHANNELS; c++) {
    const record = NATIVE_RECORD_LENGTH * c;
    sum += channelNmi(workspace, {
      joint: sums[record],
      clean: sums[record + 1],
      degraded: sums[record + 2],
      cleanBins: sums[record + 3],
      degradedBins: sums[record + 4],
    });
  }
  return sum;
}

/**
 * Copies values `start` to `stop` of the image pair into the arena's image room, without
 * a subarray view where they are the whole arrays.
 */
function copyIntoArena(pair: ImagePair, arena: WasmArena, start: number, stop: number): void {
  const { clean, degraded } = pair;
  if (start === 0 && stop === clean.length) {
    arena.clean.set(clean);
    arena.degraded.set(degraded);
  } else {
    arena.clean.set(clean.subarray(start, stop));
    arena.degraded.set(degraded.subarray(start, stop));
  }
}

/**
 * Fills the histograms of `pair` and the joint sums with the chosen pixel pass, then
 * sets the joint counts back to zero, summarizing them first for a large image.
 */
function countPair(pair: ImagePair, workspace: NmiWorkspace, useWasm: boolean): void {
  const small = workspace.bins * workspace.bins > workspace.pixels;
  const arena = workspace.wasm;
  if (useWasm && arena !== undefined) {
    const end = pair.offset + workspace.pixels * CHANNELS;
    if (small) arena.sums.fill(0);
    for (let start = pair.offset; start < end; start += arena.clean.length) {
      const stop = Math.min(end, start + arena.clean.length);
      copyIntoArena(pair, arena, start, stop);
      if (small) arena.countSmall((stop - start) / CHANNELS);
      else arena.countLarge((stop - start) / CHANNELS);
    }
  } else if (small) {
    countSmallImage(pair, workspace);
  } else {
    countLargeImage(pair, workspace);
  }
  if (small) clearSmallImageJoints(pair, workspace);
  else summarizeJoints(workspace);
}

/** Returns the channel-averaged NMI of `pair`, clamped to [0, 1]. */
function imageNmi(pair: ImagePair, workspace: NmiWorkspace, pass: NmiKernel): number {
  const arena = workspace.wasm;
  const useWasm = pass === "wasm";
  let sum = 0;
  const native = pass === "native" ? workspaceNativeArena(workspace) : undefined;
  if (native !== undefined) {
    sum = nativeImageNmi(pair, workspace, native);
  } else if (useWasm && arena?.smallSums !== undefined) {
    sum = summedImageNmi(pair, workspace, arena, arena.smallSums);
  } else {
    countPair(pair, workspace, useWasm);
    for (let c = 0; c < CHANNELS; c++) sum += channelNmiAndReset(workspace, c);
  }
  // Rounding can push the ratio a few ulps past 1 or below 0.
  return Math.min(1, Math.max(0, sum / CHANNELS));
}

/**
 * Returns the pass that `kernel`, the `kernel` option, runs for `workspace`: the
 * native one only where the library loaded and takes the workspace's shape (see
 * {@linkcode NmiKernelOptions}). undefined and null select the default.
 *
 * @throws RangeError for an unknown kernel name, Error when the named kernel cannot
 *   run here.
 */
function choosePass(kernel: unknown, workspace: NmiWorkspace, caller: string): NmiKernel {
  const fallback = workspace.wasm !== undefined ? "wasm" : "typescript";
  const takesShape = () => workspaceNativeArena(workspace) !== undefined;
  if (kernel === undefined || kernel === null) return takesShape() ? "native" : fallback;
  if (kernel === "typescript") return "typescript";
  if (!NMI_KERNELS.includes(kernel as NmiKernel)) {
    const names = NMI_KERNELS.map((name) => JSON.stringify(name));
    throw new RangeError(
      `${caller}: kernel must be ${names.slice(0, -1).join(", ")} or ${names.at(-1)}, got ${
        describeValue(kernel)
      }`,
    );
  }
  if (kernel === "native") {
    const reason = nativeKernelUnavailableReason();
    if (reason !== undefined) {
      throw new Error(`${caller}: kernel "native" cannot run: ${reason}, or pass kernel: "${fallback}"`);
    }
    return takesShape() ? "native" : fallback;
  }
  if (workspace.wasm === undefined) {
    const reason = wasmKernelUnavailableReason() ??
      `its memory for ${workspace.bins} bins (12 bytes per histogram cell) would exceed 2 GiB or could not be allocated`;
    throw new Error(`${caller}: kernel "wasm" cannot run: ${reason}. Pass kernel: "typescript"`);
  }
  return "wasm";
}

/**
 * Returns the pass that `kernel` runs for images of `pixels` pixels with `bins` bins:
 * `kernel` itself, or the pass that replaces it there (see {@linkcode NmiKernelOptions}).
 *
 * @throws as {@linkcode normalizedMutualInformation} does for `bins` and `kernel`.
 */
export function nmiPass(kernel: NmiKernel | undefined, bins: number, pixels: number): NmiKernel {
  const caller = "nmiPass";
  return choosePass(kernel, getWorkspace(resolveNmiBins({ bins }, caller), pixels), caller);
}

/** Returns the constructor name of `value`, or its type where it has none. */
function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name ?? typeof value;
}

/**
 * Returns a plain Float32Array view of the values of `values`, copied when they lie in
 * shared memory. The clearing step bins the values again, so it must read what the
 * count read: a subclass or a Proxy could return other values, and another thread could
 * write shared values in between. Either would leave counts in the cached histograms.
 */
function ownView(values: Float32Array): Float32Array {
  const view = new Float32Array(values.buffer, values.byteOffset, values.length);
  return view.buffer instanceof SharedArrayBuffer ? view.slice() : view;
}

/**
 * Returns {@linkcode ownView} of `values`, the argument `name`.
 *
 * @throws TypeError naming the argument where its buffer is detached, or where it is a
 *   Proxy whose typed-array getters throw a TypeError that names nothing.
 */
function ownViewOrThrow(values: Float32Array, name: string, caller: string): Float32Array {
  let buffer: ArrayBufferLike;
  try {
    buffer = values.buffer;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new TypeError(
      `${caller}: ${name} is a Proxy whose buffer cannot be read (${error.message}). ` +
        "Pass the Float32Array itself, or a copy made with Float32Array.from(values)",
    );
  }
  if ((buffer as ArrayBuffer).detached === true) {
    throw new TypeError(
      `${caller}: ${name} has a detached buffer (transferred or freed). Pass an array that owns its data`,
    );
  }
  return ownView(values);
}

/**
 * Returns plain views of an image pair (see {@linkcode ownView}) after checking their
 * types and lengths.
 *
 * @throws TypeError for arrays other than Float32Array, RangeError for lengths that
 *   differ or are not a positive multiple of 3.
 */
function ownPair(clean: Float32Array, degraded: Float32Array, caller: string): [Float32Array, Float32Array] {
  for (const [name, values] of [["clean", clean], ["degraded", degraded]] as const) {
    // The clearing step bins the caller's values again, so other types would leave counts behind.
    if (!((values as unknown) instanceof Float32Array)) {
      throw new TypeError(
        `${caller}: ${name} must be a Float32Array, got ${
          describeType(values)
        }. Convert it with Float32Array.from(values)`,
      );
    }
  }
  const pair: [Float32Array, Float32Array] = [
    ownViewOrThrow(clean, "clean", caller),
    ownViewOrThrow(degraded, "degraded", caller),
  ];
  const [cleanLength, degradedLength] = [pair[0].length, pair[1].length];
  if (cleanLength !== degradedLength) {
    throw new RangeError(
      `${caller}: clean has ${cleanLength} values but degraded has ${degradedLength}. Pass images of the same shape`,
    );
  }
  if (cleanLength === 0 || cleanLength % CHANNELS !== 0) {
    throw new RangeError(
      `${caller}: image length must be a positive multiple of 3 (HWC, RGB), got ${cleanLength}`,
    );
  }
  return pair;
}

/** Options of one call, each read once and before the images, so that a getter cannot change the images' views. */
interface CallOptions {
  bins: number;
  kernel: unknown;
}

/**
 * Reads the options of one call.
 *
 * @throws TypeError when `options` is not an object, null or undefined; RangeError for
 *   an invalid bin count.
 */
function readOptions(options: NmiKernelOptions | null | undefined, caller: string): CallOptions {
  if (options !== null && options !== undefined && typeof options !== "object") {
    throw new TypeError(
      `${caller}: options must be an object such as { bins: 64 }, got ${describeValue(options)}`,
    );
  }
  const settings = options ?? {};
  return { bins: resolveNmiBins(settings, caller), kernel: settings.kernel };
}

/**
 * Computes the normalized mutual information between a clean image and its degraded copy.
 *
 * Per RGB channel, values are clamped to [0, 1] (NaN counts as 0, +Infinity as 1) and put
 * into `bins` equal bins: bin = min(bins - 1, floor(v * bins)). The joint and marginal
 * histograms give I(X; Y), H(X) and H(Y) in bits, with 0 log 0 = 0. The channel's NMI
 * is 2 I / (H(X) + H(Y)). When both channels are constant, H(X) + H(Y) = 0 and the
 * channel's NMI is defined as 1, because nothing was lost. A constant clean channel
 * with a varying degraded one gives 0.
 *
 * One pass over the pixels fills integer joint histograms of the three channels. For
 * images with fewer pixels than bins x bins cells it also sums the joint's c log2 c
 * from a table as it goes. For larger ones a scan of the cells computes that sum. By
 * default the pass runs in compiled C where its library is built (`deno task
 * build-nmi-native`), for images of fewer than 65,536 pixels with at most 256 bins,
 * one call per image. Otherwise it runs in WebAssembly with SIMD on copies of the
 * pair, up to 65,536 pixels at a time. For most small images (such as 32 x 32 with 64
 * bins) the whole count and every sum are then one WebAssembly call. With `kernel:
 * "typescript"` it runs in TypeScript. All passes give the same results. Histograms
 * and tables are cached per bin count and pixel count, so repeated calls allocate
 * none. The tests check every pass against a plain float64 implementation to within
 * 1e-9.
 *
 * @example
 * ```ts
 * const clean = new Float32Array(8 * 8 * 3).map((_, i) => (i % 7) / 7);
 * normalizedMutualInformation(clean, clean); // 1
 * ```
 *
 * @param clean Pixels, shape [H, W, 3] (HWC), values nominally in [0, 1].
 * @param degraded Pixels of the same shape.
 * @param options `bins`: histogram bins per channel, an integer in [2, 65535], default
 *   64. `kernel`: the pixel pass, see {@linkcode NmiKernelOptions}. null counts as {}.
 * @returns The mean of the three channel NMIs, clamped to [0, 1], and never NaN.
 * @throws TypeError when `clean` or `degraded` is not a Float32Array, or `options` is
 *   not an object.
 * @throws RangeError when the lengths differ, are 0 or are not a multiple of 3, or
 *   when `bins` or `kernel` is invalid.
 * @throws Error when the kernel named by `kernel` cannot run here.
 */
export function normalizedMutualInformation(
  clean: Float32Array,
  degraded: Float32Array,
  options: NmiKernelOptions | null = {},
): number {
  const caller = "normalizedMutualInformation";
  const { bins, kernel } = readOptions(options, caller);
  [clean, degraded] = ownPair(clean, degraded, caller);
  const workspace = getWorkspace(bins, clean.length / CHANNELS);
  const pass = choosePass(kernel, workspace, caller);
  return imageNmi({ clean, degraded, offset: 0 }, workspace, pass);
}

/**
 * Computes {@linkcode normalizedMutualInformation} for each image of a batch, with the
 * same kernel and workspace for every image.
 *
 * @param clean Pixels, shape [count, H, W, 3], values nominally in [0, 1].
 * @param degraded Pixels of the same shape.
 * @param count Number of images N, a positive integer dividing the length.
 * @param options `bins`: histogram bins per channel, an integer in [2, 65535], default
 *   64. `kernel`: the pixel pass, see {@linkcode NmiKernelOptions}. null counts as {}.
 * @returns Float32Array of N values in [0, 1]. Entry i compares image i of both batches.
 * @throws TypeError when `clean` or `degraded` is not a Float32Array, or `options` is
 *   not an object.
 * @throws RangeError when the lengths differ, when `count` does not split them into
 *   images of whole RGB pixels, or when `bins` or `kernel` is invalid.
 * @throws Error when the kernel named by `kernel` cannot run here.
 */
export function nmiBatch(
  clean: Float32Array,
  degraded: Float32Array,
  count: number,
  options: NmiKernelOptions | null = {},
): Float32Array {
  const { bins, kernel } = readOptions(options, "nmiBatch");
  [clean, degraded] = ownPair(clean, degraded, "nmiBatch");
  if (!Number.isInteger(count) || count < 1 || clean.length % count !== 0) {
    throw new RangeError(
      `nmiBatch: count must be a positive integer dividing the length ${clean.length}, got ${
        describeValue(count)
      }`,
    );
  }
  const imageLength = clean.length / count;
  if (imageLength % CHANNELS !== 0) {
    throw new RangeError(
      `nmiBatch: each image has ${imageLength} values, not a multiple of 3. Check count=${count} and the [N, H, W, 3] layout`,
    );
  }

  const workspace = getWorkspace(bins, imageLength / CHANNELS);
  const pass = choosePass(kernel, workspace, "nmiBatch");
  const result = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    result[n] = imageNmi(
      { clean, degraded, offset: n * imageLength },
      workspace,
      pass,
    );
  }
  return result;
}
