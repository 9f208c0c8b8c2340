/**
 * Sources of a batch's training images: memory, or the decode-cache file of a
 * streamed split. A store reads the images of a batch by index and can be
 * described in a message, so that a worker opens the same images without
 * copying the split.
 *
 * @module
 */
import { PREAMBLE_BYTES } from "../datasets/cache.ts";
import {
  type ImageSplit,
  isStreamed,
  type SplitFile,
  type StreamedSplit,
  type TrainSplit,
} from "../datasets/types.ts";

/** Random access to the 8-bit images of a split. */
export interface ImageStore {
  count: number;
  height: number;
  width: number;
  /** Class index per image, [count]. */
  labels: Int32Array;
  /** Returns the images at `indices`, [indices.length, height, width, 3], values 0..255. */
  read(indices: Int32Array): Uint8Array;
  /** A message from which {@linkcode openImageStore} opens the same store in a worker. */
  describe(): ImageStoreMessage;
  /** Closes the file of a streamed split; a later `read` opens it again. */
  close(): void;
}

/** A store held in memory, in a form that `postMessage` can send. */
export interface MemoryStoreMessage {
  kind: "memory";
  /** Pixels of the whole split; a worker gets them without a copy when a `SharedArrayBuffer` backs them. */
  images: Uint8Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
}

/** A streamed split: its file and which of the file's images it uses. */
export interface FileStoreMessage {
  kind: "file";
  file: SplitFile;
  /** Position in the file of each image of the split. */
  indices: Int32Array;
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
}

export type ImageStoreMessage = MemoryStoreMessage | FileStoreMessage;

/**
 * Opens the store of any training split. With `shared`, an in-memory split's
 * pixels are placed in a `SharedArrayBuffer` (see {@linkcode memoryImageStore}).
 */
export function imageStoreFor(split: TrainSplit, shared = false): ImageStore {
  return isStreamed(split) ? fileImageStore(split) : memoryImageStore(split, shared);
}

/** Opens a streamed split, which reads each image from its file when a batch needs it. */
export function fileImageStore(split: StreamedSplit): ImageStore {
  const { file, indices, labels, count, height, width } = split;
  return openFileStore({ kind: "file", file, indices, labels, count, height, width });
}

/** Size of the runs of images that {@linkcode forEachImageChunk} reads from a file: 64 MiB. */
const CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Calls `visit` with the split's pixels in order, in runs of whole images: all
 * at once for a split in memory, at most 64 MiB at a time for a streamed one.
 *
 * @param visit Receives the pixels of images `first` to `first + n - 1`.
 */
export function forEachImageChunk(
  split: TrainSplit,
  visit: (pixels: Uint8Array, first: number) => void,
): void {
  if (!isStreamed(split)) {
    visit(split.images, 0);
    return;
  }
  const store = fileImageStore(split);
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / (split.height * split.width * 3)));
  try {
    for (let first = 0; first < split.count; first += perChunk) {
      const last = Math.min(split.count, first + perChunk);
      visit(store.read(Int32Array.from({ length: last - first }, (_, i) => first + i)), first);
    }
  } finally {
    store.close();
  }
}

/**
 * Opens a split held in memory. With `shared`, its pixels are copied once into a
 * `SharedArrayBuffer` when the split's own buffer is not shared, so that
 * workers read them without a copy each.
 */
export function memoryImageStore(split: ImageSplit, shared = false): ImageStore {
  return openMemoryStore({
    kind: "memory",
    images: shared ? toSharedBytes(split.images) : split.images,
    labels: split.labels,
    count: split.count,
    height: split.height,
    width: split.width,
  });
}

/** Opens the store that {@linkcode ImageStore.describe} described, in any thread. */
export function openImageStore(message: ImageStoreMessage): ImageStore {
  if (message.kind === "memory") return openMemoryStore(message);
  if (message.kind === "file") return openFileStore(message);
  throw new Error(`Unknown image store kind "${(message as { kind: string }).kind}".`);
}

function openMemoryStore(message: MemoryStoreMessage): ImageStore {
  const { images, labels, count, height, width } = message;
  const imageBytes = height * width * 3;
  if (images.length !== count * imageBytes || labels.length !== count) {
    throw new Error(
      `Image store of ${count} images of ${height}x${width} px contains ${images.length} pixel bytes ` +
        `and ${labels.length} labels; expected ${count * imageBytes} and ${count}.`,
    );
  }
  return {
    count,
    height,
    width,
    labels,
    read(indices) {
      const out = new Uint8Array(indices.length * imageBytes);
      indices.forEach((index, i) => {
        checkIndex(index, count);
        out.set(images.subarray(index * imageBytes, (index + 1) * imageBytes), i * imageBytes);
      });
      return out;
    },
    describe: () => message,
    close() {},
  };
}

function openFileStore(message: FileStoreMessage): ImageStore {
  const { file, indices, labels, count, height, width } = message;
  const imageBytes = height * width * 3;
  if (indices.length !== count || labels.length !== count) {
    throw new Error(
      `Invalid streamed split of ${count} images: it has ${indices.length} file positions and ` +
        `${labels.length} labels, expected ${count} of each.`,
    );
  }
  let handle: Deno.FsFile | undefined;
  return {
    count,
    height,
    width,
    labels,
    read(requested) {
      handle ??= openUnchanged(file);
      const out = new Uint8Array(requested.length * imageBytes);
      requested.forEach((index, i) => {
        checkIndex(index, count);
        const stored = indices[index];
        if (!Number.isInteger(stored) || stored < 0 || stored >= file.storedCount) {
          throw new RangeError(
            `File position ${stored} of image ${index} is outside the ${file.storedCount} images of ${file.path}.`,
          );
        }
        const target = out.subarray(i * imageBytes, (i + 1) * imageBytes);
        readAt(handle!, file.pixelsOffset + stored * imageBytes, target, file.path);
      });
      return out;
    },
    describe: () => message,
    close() {
      handle?.close();
      handle = undefined;
    },
  };
}

/**
 * Opens a split's cache file and checks that its header still names the pixel
 * offset and checksum recorded when the split was loaded: another process may
 * have replaced the file since, with the pixels at another offset.
 *
 * NOTE: pixels changed in place after this check, keeping the header, are not
 * noticed; checking them would mean reading the whole file again.
 */
function openUnchanged(file: SplitFile): Deno.FsFile {
  const rerun = "Load the dataset again (rerun the command) to use the new file.";
  let handle: Deno.FsFile;
  try {
    handle = Deno.openSync(file.path, { read: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `Cache file ${file.path} of a streamed split was removed after the dataset was loaded. ${rerun}`,
    );
  }
  try {
    const preamble = new Uint8Array(PREAMBLE_BYTES);
    readAt(handle, 0, preamble, file.path);
    const length = new DataView(preamble.buffer).getUint32(PREAMBLE_BYTES - 4, true);
    const json = new Uint8Array(Math.min(length, file.pixelsOffset));
    readAt(handle, PREAMBLE_BYTES, json, file.path);
    const header = JSON.parse(new TextDecoder().decode(json));
    if (header.pixelsOffset !== file.pixelsOffset || header.checksum !== file.checksum) {
      throw new Error("its header changed");
    }
  } catch (error) {
    handle.close();
    throw new Error(
      `Cache file ${file.path} of a streamed split changed after the dataset was loaded ` +
        `(${(error as Error).message}). ${rerun}`,
    );
  }
  return handle;
}

/** Fills `target` from the file at byte `position`. */
function readAt(handle: Deno.FsFile, position: number, target: Uint8Array, path: string): void {
  handle.seekSync(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < target.length) {
    const read = handle.readSync(target.subarray(filled));
    if (read === null) {
      throw new Error(
        `Cache file ${path} ends before byte ${position + target.length}, inside an image. ` +
          "Delete it and load the dataset again.",
      );
    }
    filled += read;
  }
}

/** Throws when an image index is outside [0, count). */
export function checkIndex(index: number, count: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`Image index ${index} is outside the split of ${count} images.`);
  }
}

/** Shared copies of split pixels already made, so that runs on the same split share one. */
const sharedCopies = new WeakMap<Uint8Array, Uint8Array>();

function toSharedBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  let shared = sharedCopies.get(bytes);
  if (shared === undefined) {
    shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    sharedCopies.set(bytes, shared);
  }
  return shared;
}
