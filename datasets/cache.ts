/**
 * On-disk cache of decoded image-folder splits, so that a second load reads one
 * file instead of decoding every image again.
 *
 * A cache file has this layout (integers little-endian):
 *
 *     bytes 0..7     magic "MIALSPLT"
 *     bytes 8..11    header length H in bytes (uint32)
 *     bytes 12..     H bytes of UTF-8 JSON, see {@linkcode CacheHeader}
 *     pixelsOffset   count * height * width * 3 bytes of pixels (uint8, NHWC)
 *     labelsOffset   count labels (int32)
 *
 * Both offsets are multiples of 4.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { ImageSplit } from "./types.ts";

/** Version of the cache file layout and of the decoding. Raising it invalidates old files. */
export const CACHE_FORMAT_VERSION = 1;

const MAGIC = new TextEncoder().encode("MIALSPLT");
const PREAMBLE_BYTES = MAGIC.length + 4;

/** JSON header of a cache file. */
export interface CacheHeader {
  formatVersion: number;
  /** Cache key, which is also the file name without `.bin`. */
  key: string;
  count: number;
  height: number;
  width: number;
  /** Byte offset of the pixels. */
  pixelsOffset: number;
  /** Byte offset of the labels. */
  labelsOffset: number;
  /** The dataset folder the split was decoded from, for people reading the header. */
  source: string;
}

/** One image file as it enters the cache key. */
export interface CacheKeyFile {
  /** Path relative to the dataset root, `/`-separated. */
  relativePath: string;
  /** Size in bytes. */
  size: number;
  /** Modification time in milliseconds. */
  mtimeMs: number;
  /** Class index. */
  label: number;
}

/** Everything that determines the decoded pixels and labels of a split. */
export interface CacheKeyInput {
  /** Files in the order their pixels are stored. */
  files: readonly CacheKeyFile[];
  /** Sorted class folder names, which fix the label numbering. */
  classFolders: readonly string[];
  /** Output width and height in pixels. */
  side: number;
  /** Name of the resize rule, so that a change of rule gives new keys. */
  resizeRule: string;
}

/**
 * Returns the default cache folder: `$XDG_CACHE_HOME/mials/decoded`, or
 * `$HOME/.cache/mials/decoded` when `XDG_CACHE_HOME` is unset or empty.
 *
 * @param getEnv Reads an environment variable. Tests pass a fake one.
 * @throws When neither `XDG_CACHE_HOME` nor `HOME` is set.
 */
export function defaultCacheDir(
  getEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string {
  const cacheHome = getEnv("XDG_CACHE_HOME");
  if (cacheHome) return join(cacheHome, "mials", "decoded");

  const home = getEnv("HOME");
  if (!home) {
    throw new Error(
      "Cannot choose a cache folder: XDG_CACHE_HOME and HOME are unset; pass cacheDir explicitly",
    );
  }
  return join(home, ".cache", "mials", "decoded");
}

/**
 * Computes the cache key of a split: a hex SHA-256 over the format version, the
 * options and each file's relative path, size, modification time and label.
 * Editing, adding, removing or renaming any file changes the key.
 */
export function computeCacheKey(input: CacheKeyInput): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({
    formatVersion: CACHE_FORMAT_VERSION,
    side: input.side,
    resizeRule: input.resizeRule,
    classFolders: input.classFolders,
  }));
  for (const file of input.files) {
    hash.update("\n" + JSON.stringify([file.relativePath, file.size, file.mtimeMs, file.label]));
  }
  return hash.digest("hex");
}

/** Returns the path of the cache file for `key`. */
export function cacheFilePath(cacheDir: string, key: string): string {
  return join(cacheDir, `${key}.bin`);
}

function alignTo4(offset: number): number {
  return Math.ceil(offset / 4) * 4;
}

/**
 * Writes a split to the cache. The file is written under a temporary name and
 * then renamed, so readers never see a partial file.
 *
 * @param cacheDir Cache folder, created when missing.
 * @param key Key from {@linkcode computeCacheKey}.
 * @param split Decoded split.
 * @param source Dataset folder, stored in the header for reference.
 */
export async function writeCachedSplit(
  cacheDir: string,
  key: string,
  split: ImageSplit,
  source: string,
): Promise<void> {
  await Deno.mkdir(cacheDir, { recursive: true });
  const finalPath = cacheFilePath(cacheDir, key);
  const temporaryPath = `${finalPath}.${crypto.randomUUID()}.tmp`;
  try {
    const file = await Deno.open(temporaryPath, { write: true, createNew: true });
    try {
      await writeSplitTo(file, key, split, source);
    } finally {
      file.close();
    }
    await Deno.rename(temporaryPath, finalPath);
  } catch (error) {
    await Deno.remove(temporaryPath).catch(() => {});
    throw error;
  }
}

async function writeSplitTo(
  file: Deno.FsFile,
  key: string,
  split: ImageSplit,
  source: string,
): Promise<void> {
  const headerBytes = encodeHeader(key, split, source);
  const preamble = new Uint8Array(PREAMBLE_BYTES);
  preamble.set(MAGIC);
  new DataView(preamble.buffer).setUint32(MAGIC.length, headerBytes.length, true);

  const labels = new Uint8Array(split.count * 4);
  const labelView = new DataView(labels.buffer);
  split.labels.forEach((label, i) => labelView.setInt32(i * 4, label, true));

  await writeAll(file, preamble);
  await writeAll(file, headerBytes);
  await writeAll(file, split.images);
  await writeAll(file, new Uint8Array(alignTo4(split.images.length) - split.images.length));
  await writeAll(file, labels);
}

/** Encodes the header, padded with spaces so that the pixels start at a multiple of 4. */
function encodeHeader(key: string, split: ImageSplit, source: string): Uint8Array {
  const encode = (pixelsOffset: number) => {
    const header: CacheHeader = {
      formatVersion: CACHE_FORMAT_VERSION,
      key,
      count: split.count,
      height: split.height,
      width: split.width,
      pixelsOffset,
      labelsOffset: pixelsOffset + alignTo4(split.images.length),
      source,
    };
    return new TextEncoder().encode(JSON.stringify(header));
  };

  // The header states the pixel offset, which depends on the header length. Growing
  // the offset field by a digit can move the offset again, so repeat until stable.
  let pixelsOffset = alignTo4(PREAMBLE_BYTES + encode(0).length);
  while (alignTo4(PREAMBLE_BYTES + encode(pixelsOffset).length) > pixelsOffset) pixelsOffset += 4;

  const json = encode(pixelsOffset);
  const padded = new Uint8Array(pixelsOffset - PREAMBLE_BYTES).fill(0x20);
  padded.set(json);
  return padded;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/**
 * Reads a cached split.
 *
 * @param cacheDir Cache folder.
 * @param key Key from {@linkcode computeCacheKey}.
 * @returns The split, or `null` when no cache file exists for `key`.
 * @throws When the file exists but is truncated or not a cache file of this version.
 */
export async function readCachedSplit(cacheDir: string, key: string): Promise<ImageSplit | null> {
  const path = cacheFilePath(cacheDir, key);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }

  try {
    const fileSize = (await file.stat()).size;
    const header = await readHeader(file, path, key, fileSize);
    const pixelBytes = header.count * header.height * header.width * 3;
    const images = await readExactly(file, header.pixelsOffset, pixelBytes, path);
    const labelBytes = await readExactly(file, header.labelsOffset, header.count * 4, path);
    const labelView = new DataView(labelBytes.buffer);
    const labels = Int32Array.from({ length: header.count }, (_, i) => labelView.getInt32(i * 4, true));
    return { images, labels, count: header.count, height: header.height, width: header.width };
  } finally {
    file.close();
  }
}

async function readHeader(
  file: Deno.FsFile,
  path: string,
  key: string,
  fileSize: number,
): Promise<CacheHeader> {
  const invalid = (reason: string) =>
    new Error(`Invalid cache file ${path}: ${reason}. Delete it and load the dataset again.`);
  if (fileSize < PREAMBLE_BYTES) throw invalid(`only ${fileSize} bytes`);

  const preamble = await readExactly(file, 0, PREAMBLE_BYTES, path);
  if (!MAGIC.every((byte, i) => preamble[i] === byte)) throw invalid("wrong magic bytes");
  const headerLength = new DataView(preamble.buffer).getUint32(MAGIC.length, true);
  if (PREAMBLE_BYTES + headerLength > fileSize) {
    throw invalid(`header length ${headerLength} exceeds the file`);
  }

  let header: CacheHeader;
  try {
    header = JSON.parse(
      new TextDecoder().decode(await readExactly(file, PREAMBLE_BYTES, headerLength, path)),
    );
  } catch (error) {
    throw invalid(`header is not JSON (${(error as Error).message})`);
  }
  if (header.formatVersion !== CACHE_FORMAT_VERSION) throw invalid(`format version ${header.formatVersion}`);
  if (header.key !== key) throw invalid(`header key ${header.key} differs from the file name`);

  const expectedSize = header.labelsOffset + header.count * 4;
  if (fileSize !== expectedSize) throw invalid(`${fileSize} bytes, expected ${expectedSize}`);
  return header;
}

async function readExactly(
  file: Deno.FsFile,
  offset: number,
  length: number,
  path: string,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < length) {
    const read = await file.read(bytes.subarray(filled));
    if (read === null) throw new Error(`Invalid cache file ${path}: ended before byte ${offset + length}`);
    filled += read;
  }
  return bytes;
}
