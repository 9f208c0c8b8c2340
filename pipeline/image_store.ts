/**
 * Where a batch's training images come from. A store reads the images of a
 * batch by index and can be described in a message, so that a worker opens the
 * same images without copying the split.
 *
 * @module
 */
import type { ImageSplit } from "../datasets/types.ts";

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

export type ImageStoreMessage = MemoryStoreMessage;

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
  throw new Error(`Unknown image store kind "${(message as { kind: string }).kind}".`);
}

function openMemoryStore(message: MemoryStoreMessage): ImageStore {
  const { images, labels, count, height, width } = message;
  const imageBytes = height * width * 3;
  if (images.length !== count * imageBytes || labels.length !== count) {
    throw new Error(
      `Image store of ${count} images of ${height}x${width} px holds ${images.length} pixel bytes ` +
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
  };
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
