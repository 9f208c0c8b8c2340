/**
 * Decode-cache files for streamed splits, in the layout of `cache.ts`. The
 * writer puts each image in the file as soon as it is decoded. The reader checks
 * the file in chunks and keeps only its labels in memory. So neither keeps all of
 * the split's pixels in memory at once.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { join } from "node:path";
import {
  alignTo4,
  cacheFilePath,
  type CacheHeader,
  decodeLabels,
  encodeLabels,
  encodePreambleAndHeader,
  finishChecksum,
  InvalidCacheFileError,
  openCacheFile,
  PREAMBLE_BYTES,
  readExactly,
  readHeader,
  writeAll,
} from "./cache.ts";
import { CACHE_FORMAT_VERSION } from "./cache_key.ts";
import { finishSplitDigest, startSplitDigest } from "./split_digest.ts";
import type { StreamedSplit } from "./types.ts";

/** Bytes hashed per read when a streamed cache file is checked: 64 MiB. */
const CHECK_CHUNK_BYTES = 64 * 1024 * 1024;

/** Contents of a streamed cache file besides the pixels. */
export interface StreamedCacheContents {
  /** Cache key, which is also the file name without `.bin`. */
  key: string;
  /** The dataset folder, stored in the header for people reading it. */
  source: string;
  labels: Int32Array;
  height: number;
  width: number;
}

/** Receives one decoded image and its position in the split. */
export type ImageWriter = (index: number, pixels: Uint8Array) => Promise<void>;

/** A streamed split opened from its cache file, with the images that failed when it was written. */
export interface StreamedCache {
  split: StreamedSplit;
  /** Ascending indices of the images that failed to decode; their pixels are zero. */
  badImageIndices: number[];
}

/**
 * Writes a cache file image by image. `decode` receives a writer, hands it each
 * decoded image, and returns the indices of the images that failed, whose
 * pixels stay zero. The file is written under a temporary name and renamed when
 * complete, so readers never see a partial file.
 */
export async function writeStreamedCache(
  cacheDir: string,
  contents: StreamedCacheContents,
  decode: (write: ImageWriter) => Promise<number[]>,
): Promise<StreamedCache> {
  const { labels, height, width } = contents;
  const count = labels.length;
  const imageBytes = height * width * 3;
  const pixelsOffset = alignTo4(PREAMBLE_BYTES + headerCapacity(contents));
  const labelsOffset = pixelsOffset + alignTo4(count * imageBytes);
  const finalPath = cacheFilePath(cacheDir, contents.key);
  const temporaryPath = `${finalPath}.${crypto.randomUUID()}.tmp`;
  const writeFailed = (error: unknown) =>
    new Error(
      `Could not write the decoded-image cache ${finalPath} (${formatBytes(labelsOffset + count * 4)}), ` +
        `which a streamed split needs: ${(error as Error).message}. Free disk space, pass --cache-dir DIR ` +
        "with a writable folder on a larger disk, or --stream off.",
    );
  let file: Deno.FsFile;
  try {
    await Deno.mkdir(cacheDir, { recursive: true });
    await removeStaleTemporaryFiles(cacheDir, contents.key);
    file = await Deno.open(temporaryPath, { read: true, write: true, createNew: true });
  } catch (error) {
    throw writeFailed(error);
  }
  try {
    let writes = Promise.resolve();
    const write: ImageWriter = (index, pixels) => {
      if (!Number.isInteger(index) || index < 0 || index >= count || pixels.length !== imageBytes) {
        throw new RangeError(
          `Image ${index} of ${pixels.length} bytes does not fit a split of ${count} images ` +
            `of ${imageBytes} bytes each.`,
        );
      }
      writes = writes.then(async () => {
        await file.seek(pixelsOffset + index * imageBytes, Deno.SeekMode.Start);
        await writeAll(file, pixels);
      });
      return writes;
    };
    const badImageIndices = (await decode(write)).toSorted((a, b) => a - b);
    await writes;
    const labelBytes = encodeLabels(labels);
    await file.seek(labelsOffset, Deno.SeekMode.Start);
    await writeAll(file, labelBytes);
    const hashes = await hashPixels(file, pixelsOffset, { count, height, width }, temporaryPath);
    const checksum = finishChecksum(hashes.checksum, labelBytes, badImageIndices);
    const header: CacheHeader = {
      formatVersion: CACHE_FORMAT_VERSION,
      key: contents.key,
      count,
      height,
      width,
      pixelsOffset,
      labelsOffset,
      source: contents.source,
      checksum,
      badImageIndices,
    };
    await file.seek(0, Deno.SeekMode.Start);
    await writeAll(file, encodePreambleAndHeader(header, pixelsOffset - PREAMBLE_BYTES));
    file.close();
    await Deno.rename(temporaryPath, finalPath);
    const digest = finishSplitDigest(hashes.digest, labels);
    return { split: { ...streamedSplitOf(finalPath, header, labels), digest }, badImageIndices };
  } catch (error) {
    try {
      file.close();
    } catch {
      // Already closed before the rename failed.
    }
    await Deno.remove(temporaryPath).catch(() => {});
    throw error instanceof RangeError ? error : writeFailed(error);
  }
}

/**
 * Opens a cache file as a streamed split: reads its header and labels, and
 * checks its checksum by reading the pixels in chunks.
 *
 * @returns The split, or `null` when no cache file exists for `key`.
 * @throws When the file is truncated, fails its checksum, or is not a cache file of this version.
 */
export async function openStreamedCache(cacheDir: string, key: string): Promise<StreamedCache | null> {
  const opened = await openCacheFile(cacheDir, key);
  if (opened === null) return null;
  const { file, path } = opened;
  try {
    const header = await readHeader(file, path, key, (await file.stat()).size);
    const labelBytes = await readExactly(file, header.labelsOffset, header.count * 4, path);
    const labels = decodeLabels(labelBytes);
    const hashes = await hashPixels(file, header.pixelsOffset, header, path);
    if (finishChecksum(hashes.checksum, labelBytes, header.badImageIndices) !== header.checksum) {
      throw new InvalidCacheFileError(path, "checksum mismatch, the file changed after it was written");
    }
    return {
      split: { ...streamedSplitOf(path, header, labels), digest: finishSplitDigest(hashes.digest, labels) },
      badImageIndices: header.badImageIndices,
    };
  } finally {
    file.close();
  }
}

function streamedSplitOf(path: string, header: CacheHeader, labels: Int32Array): StreamedSplit {
  return {
    labels,
    count: header.count,
    height: header.height,
    width: header.width,
    file: { path, pixelsOffset: header.pixelsOffset, storedCount: header.count, checksum: header.checksum },
    indices: Int32Array.from({ length: header.count }, (_, i) => i),
  };
}

/**
 * Returns an upper bound of the header's JSON length: the fixed fields with
 * offsets of 16 digits, and room to list every image as failed.
 */
function headerCapacity(contents: StreamedCacheContents): number {
  const count = contents.labels.length;
  const widest: CacheHeader = {
    formatVersion: CACHE_FORMAT_VERSION,
    key: contents.key,
    count,
    height: contents.height,
    width: contents.width,
    pixelsOffset: 1e15,
    labelsOffset: 1e15,
    source: contents.source,
    checksum: "0".repeat(64),
    badImageIndices: [],
  };
  return new TextEncoder().encode(JSON.stringify(widest)).length + count * (String(count).length + 1);
}

/**
 * Reads the pixels of a cache file once, in chunks of {@linkcode CHECK_CHUNK_BYTES},
 * into two hashes: the file's checksum and the split's digest, both still to be
 * completed with the labels.
 */
async function hashPixels(
  file: Deno.FsFile,
  offset: number,
  shape: { count: number; height: number; width: number },
  path: string,
): Promise<{ checksum: Hash; digest: Hash }> {
  const checksum = createHash("sha256");
  const digest = startSplitDigest(shape);
  const length = shape.count * shape.height * shape.width * 3;
  for (let done = 0; done < length; done += CHECK_CHUNK_BYTES) {
    const chunk = await readExactly(file, offset + done, Math.min(CHECK_CHUNK_BYTES, length - done), path);
    checksum.update(chunk);
    digest.update(chunk);
  }
  return { checksum, digest };
}

/** Age after which a temporary cache file counts as left behind by an interrupted writer. */
const STALE_TEMPORARY_MS = 10 * 60 * 1000;

/**
 * Removes the temporary files of `key` that no writer has changed for 10 minutes,
 * left behind when a decode was interrupted. A writer still at work changes its
 * file with every image, so its file is kept.
 */
export async function removeStaleTemporaryFiles(cacheDir: string, key: string): Promise<void> {
  const prefix = `${key}.bin.`;
  for await (const entry of Deno.readDir(cacheDir)) {
    if (!entry.isFile || !entry.name.startsWith(prefix) || !entry.name.endsWith(".tmp")) continue;
    const path = join(cacheDir, entry.name);
    const modified = (await Deno.stat(path).catch(() => null))?.mtime?.getTime();
    if (modified !== undefined && Date.now() - modified > STALE_TEMPORARY_MS) {
      await Deno.remove(path).catch(() => {});
    }
  }
}

/** Formats a byte count in MiB below 1 GiB and in GiB above. */
function formatBytes(bytes: number): string {
  return bytes < 2 ** 30 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
