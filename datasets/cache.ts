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
 * Both offsets are multiples of 4. The header stores a SHA-256 of the pixels, the
 * labels and the indices of failed images, so a file in which any of them changed
 * after writing is rejected.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { join } from "node:path";
import { CACHE_FORMAT_VERSION } from "./cache_key.ts";
import type { ImageSplit } from "./types.ts";

const MAGIC = new TextEncoder().encode("MIALSPLT");
/** Bytes before the JSON header: the magic and the header length. */
export const PREAMBLE_BYTES = MAGIC.length + 4;

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
  /** Hex SHA-256 of the pixel bytes, the label bytes and `badImageIndices` as JSON, in that order. */
  checksum: string;
  /** Ascending indices of the images that failed to decode; their pixels are zero. */
  badImageIndices: number[];
}

/** A split read from the cache. */
export interface CachedSplit {
  split: ImageSplit;
  /** Ascending indices of the images that failed to decode when the split was cached. */
  badImageIndices: number[];
}

/** Returns the path of the cache file for `key`. */
export function cacheFilePath(cacheDir: string, key: string): string {
  return join(cacheDir, `${key}.bin`);
}

/** Rounds a byte offset up to a multiple of 4. */
export function alignTo4(offset: number): number {
  return Math.ceil(offset / 4) * 4;
}

/**
 * Writes a split to the cache. The file is written under a temporary name and
 * then renamed, so readers never see a partial file.
 *
 * @param cacheDir Cache folder, created when missing.
 * @param key Key from `computeCacheKey` in `cache_key.ts`.
 * @param split Decoded split.
 * @param source Dataset folder, stored in the header for reference.
 * @param badImageIndices Ascending indices of the images that failed to decode.
 */
export async function writeCachedSplit(
  cacheDir: string,
  key: string,
  split: ImageSplit,
  source: string,
  badImageIndices: readonly number[] = [],
): Promise<void> {
  await Deno.mkdir(cacheDir, { recursive: true });
  const finalPath = cacheFilePath(cacheDir, key);
  const temporaryPath = `${finalPath}.${crypto.randomUUID()}.tmp`;
  try {
    const file = await Deno.open(temporaryPath, { write: true, createNew: true });
    try {
      await writeSplitTo(file, key, split, source, badImageIndices);
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
  badImageIndices: readonly number[],
): Promise<void> {
  const labels = encodeLabels(split.labels);

  const fields = {
    key,
    source,
    checksum: computeChecksum(split.images, labels, badImageIndices),
    badImageIndices,
  };
  await writeAll(file, encodeHeader(split, fields));
  await writeAll(file, split.images);
  await writeAll(file, new Uint8Array(alignTo4(split.images.length) - split.images.length));
  await writeAll(file, labels);
}

function computeChecksum(pixels: Uint8Array, labels: Uint8Array, badImageIndices: readonly number[]): string {
  return finishChecksum(createHash("sha256").update(pixels), labels, badImageIndices);
}

/** Completes a header checksum from a hash that has already taken in every pixel byte. */
export function finishChecksum(hash: Hash, labels: Uint8Array, badImageIndices: readonly number[]): string {
  return hash.update(labels).update(JSON.stringify(badImageIndices)).digest("hex");
}

/** Encodes labels as the little-endian int32 values that a cache file stores. */
export function encodeLabels(labels: Int32Array): Uint8Array {
  const bytes = new Uint8Array(labels.length * 4);
  const view = new DataView(bytes.buffer);
  labels.forEach((label, i) => view.setInt32(i * 4, label, true));
  return bytes;
}

/** Decodes the label bytes of a cache file. */
export function decodeLabels(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int32Array.from({ length: bytes.length / 4 }, (_, i) => view.getInt32(i * 4, true));
}

/** Returns the preamble (magic and header length) and the header JSON padded with spaces to `length` bytes. */
export function encodePreambleAndHeader(header: CacheHeader, length: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  if (json.length > length) {
    throw new Error(`Cache header of ${json.length} bytes exceeds its ${length} bytes.`);
  }
  const bytes = new Uint8Array(PREAMBLE_BYTES + length).fill(0x20);
  bytes.set(MAGIC);
  new DataView(bytes.buffer).setUint32(MAGIC.length, length, true);
  bytes.set(json, PREAMBLE_BYTES);
  return bytes;
}

/** Header fields that do not follow from the split's shape. */
type HeaderFields = Pick<CacheHeader, "key" | "source" | "checksum"> & {
  badImageIndices: readonly number[];
};

/** Encodes the preamble and the header, padded with spaces so that the pixels start at a multiple of 4. */
function encodeHeader(split: ImageSplit, fields: HeaderFields): Uint8Array {
  const headerAt = (pixelsOffset: number): CacheHeader => ({
    formatVersion: CACHE_FORMAT_VERSION,
    key: fields.key,
    count: split.count,
    height: split.height,
    width: split.width,
    pixelsOffset,
    labelsOffset: pixelsOffset + alignTo4(split.images.length),
    source: fields.source,
    checksum: fields.checksum,
    badImageIndices: [...fields.badImageIndices],
  });
  const jsonLength = (pixelsOffset: number) =>
    new TextEncoder().encode(JSON.stringify(headerAt(pixelsOffset))).length;

  // The header states the pixel offset, which depends on the header length. Growing
  // the offset field by a digit can move the offset again, so repeat until stable.
  let pixelsOffset = alignTo4(PREAMBLE_BYTES + jsonLength(0));
  while (alignTo4(PREAMBLE_BYTES + jsonLength(pixelsOffset)) > pixelsOffset) pixelsOffset += 4;
  return encodePreambleAndHeader(headerAt(pixelsOffset), pixelsOffset - PREAMBLE_BYTES);
}

/** Writes all of `bytes` at the file's position. */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/**
 * Reads a cached split.
 *
 * @param cacheDir Cache folder.
 * @param key Key from `computeCacheKey` in `cache_key.ts`.
 * @returns The split and its failed images, or `null` when no cache file exists for `key`.
 * @throws When the file exists but is truncated, fails its checksum, or is not a
 * cache file of this version.
 */
export async function readCachedSplit(cacheDir: string, key: string): Promise<CachedSplit | null> {
  const opened = await openCacheFile(cacheDir, key);
  if (opened === null) return null;
  const { file, path } = opened;
  try {
    const fileSize = (await file.stat()).size;
    const header = await readHeader(file, path, key, fileSize);
    const pixelBytes = header.count * header.height * header.width * 3;
    const images = await readExactly(file, header.pixelsOffset, pixelBytes, path);
    const labelBytes = await readExactly(file, header.labelsOffset, header.count * 4, path);
    if (computeChecksum(images, labelBytes, header.badImageIndices) !== header.checksum) {
      throw new InvalidCacheFileError(path, "checksum mismatch, the file changed after it was written");
    }

    const labels = decodeLabels(labelBytes);
    const split = { images, labels, count: header.count, height: header.height, width: header.width };
    return { split, badImageIndices: header.badImageIndices };
  } finally {
    file.close();
  }
}

/** Opens the cache file of `key` for reading, or returns `null` when there is none. */
export async function openCacheFile(
  cacheDir: string,
  key: string,
): Promise<{ file: Deno.FsFile; path: string } | null> {
  const path = cacheFilePath(cacheDir, key);
  try {
    return { file: await Deno.open(path, { read: true }), path };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Reads and checks a cache file's header against its key and the file size. */
export async function readHeader(
  file: Deno.FsFile,
  path: string,
  key: string,
  fileSize: number,
): Promise<CacheHeader> {
  const invalid = (reason: string) => new InvalidCacheFileError(path, reason);
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
  if (typeof header !== "object" || header === null) throw invalid("header is not a JSON object");
  if (header.formatVersion !== CACHE_FORMAT_VERSION) throw invalid(`format version ${header.formatVersion}`);
  if (header.key !== key) throw invalid(`header key ${header.key} differs from the file name`);
  const shapeProblem = findShapeProblem(header, PREAMBLE_BYTES + headerLength);
  if (shapeProblem !== null) throw invalid(shapeProblem);

  const expectedSize = header.labelsOffset + header.count * 4;
  if (fileSize !== expectedSize) throw invalid(`${fileSize} bytes, expected ${expectedSize}`);
  return header;
}

/** Error of a cache file that cannot be used: not a cache file of this version, truncated, or changed. */
export class InvalidCacheFileError extends Error {
  /** The message without its closing advice to delete the file. */
  readonly problem: string;

  constructor(path: string, reason: string) {
    const problem = `Invalid cache file ${path}: ${reason}.`;
    super(`${problem} Delete it and load the dataset again.`);
    this.name = "InvalidCacheFileError";
    this.problem = problem;
  }
}

/**
 * Returns what `read` resolves to, or null after a warning when it fails. A cache
 * file that cannot be read is then decoded again, which replaces it, so the warning
 * leaves out the advice to delete it.
 */
export async function readOrIgnoreCache<T>(read: Promise<T | null>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    const reason = error instanceof InvalidCacheFileError ? error.problem : (error as Error).message;
    console.warn(`Ignoring the decoded-image cache and decoding again, which replaces the file: ${reason}`);
    return null;
  }
}

/** Returns what is inconsistent in the header's sizes, offsets and indices, or `null`. */
function findShapeProblem(header: CacheHeader, headerEnd: number): string | null {
  const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  if (![header.count, header.height, header.width].every(isCount)) {
    return `invalid shape ${header.count}x${header.height}x${header.width}`;
  }
  const pixelBytes = header.count * header.height * header.width * 3;
  if (header.pixelsOffset !== alignTo4(headerEnd)) return `pixel offset ${header.pixelsOffset}`;
  if (header.labelsOffset !== header.pixelsOffset + alignTo4(pixelBytes)) {
    return `label offset ${header.labelsOffset}`;
  }
  if (typeof header.checksum !== "string") return "missing checksum";

  const indices = header.badImageIndices;
  const isAscendingIndex = (index: number, i: number) =>
    Number.isSafeInteger(index) && index >= (i === 0 ? 0 : indices[i - 1] + 1) && index < header.count;
  if (!Array.isArray(indices) || !indices.every(isAscendingIndex)) {
    return `invalid bad-image indices ${JSON.stringify(indices)}`;
  }
  return null;
}

/** Reads `length` bytes at `offset`, raising when the file ends first. */
export async function readExactly(
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
