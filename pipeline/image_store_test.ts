import assert from "node:assert/strict";
import {
  fileImageStore,
  forEachImageChunk,
  memoryImageStore,
  type MemoryStoreMessage,
  openImageStore,
} from "./image_store.ts";
import type { StreamedSplit } from "../datasets/types.ts";
import { randomSplit, SIDE, streamedCopy } from "./_test_support.ts";

const IMAGE_BYTES = SIDE * SIDE * 3;

Deno.test("a memory store reads the images at the given indices, in that order", () => {
  const split = randomSplit(5);
  const read = memoryImageStore(split).read(Int32Array.of(4, 0, 4));
  assert.equal(read.length, 3 * IMAGE_BYTES);
  assert.deepEqual(read.subarray(0, IMAGE_BYTES), split.images.subarray(4 * IMAGE_BYTES));
  assert.deepEqual(read.subarray(IMAGE_BYTES, 2 * IMAGE_BYTES), split.images.subarray(0, IMAGE_BYTES));
  assert.deepEqual(read.subarray(2 * IMAGE_BYTES), split.images.subarray(4 * IMAGE_BYTES));
});

Deno.test("a shared memory store puts the pixels in one SharedArrayBuffer and reopens from its message", () => {
  const split = randomSplit(4);
  const message = memoryImageStore(split, true).describe() as MemoryStoreMessage;
  assert.ok(message.images.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(message.images, split.images);
  const again = memoryImageStore(split, true).describe() as MemoryStoreMessage;
  assert.equal(again.images, message.images, "one copy per split");
  const reopened = openImageStore(structuredClone(message));
  assert.deepEqual(reopened.read(Int32Array.of(2)), split.images.subarray(2 * IMAGE_BYTES, 3 * IMAGE_BYTES));
  const unshared = memoryImageStore(split).describe() as MemoryStoreMessage;
  assert.equal(unshared.images, split.images, "no copy without sharing");
});

Deno.test("a memory store rejects indices outside the split and pixels of the wrong length", () => {
  const store = memoryImageStore(randomSplit(3));
  assert.throws(() => store.read(Int32Array.of(3)), /Image index 3 is outside the split of 3 images/);
  assert.throws(() => store.read(Int32Array.of(-1)), /Image index -1/);
  const split = { ...randomSplit(3), count: 4 };
  assert.throws(
    () => memoryImageStore(split),
    /Image store of 4 images of 8x8 px contains 576 pixel bytes and 3 labels/,
  );
});

Deno.test("forEachImageChunk gives a streamed split's pixels in order, as the split in memory", async () => {
  const split = randomSplit(5);
  const streamed = await streamedCopy(split);
  for (const source of [split, streamed]) {
    const seen: number[] = [];
    forEachImageChunk(source, (pixels, first) => {
      assert.equal(first, seen.length / IMAGE_BYTES);
      seen.push(...pixels);
    });
    assert.deepEqual(Uint8Array.from(seen), split.images);
  }
});

Deno.test("a file store names an index outside the split", async () => {
  const store = fileImageStore(await streamedCopy(randomSplit(3)));
  try {
    assert.throws(() => store.read(Int32Array.of(3)), /Image index 3 is outside the split of 3 images/);
  } finally {
    store.close();
  }
});

/** Returns the error message of reading image 0 of `split` through a file store. */
function readError(split: StreamedSplit): string {
  const store = fileImageStore(split);
  try {
    store.read(Int32Array.of(0));
    return "no error";
  } catch (error) {
    return (error as Error).message;
  } finally {
    store.close();
  }
}

Deno.test("a file store notices a cache file replaced, cut or removed after loading", async () => {
  const streamed = await streamedCopy(randomSplit(3));
  const moved = { ...streamed, file: { ...streamed.file, pixelsOffset: streamed.file.pixelsOffset + 4 } };
  assert.match(
    readError(moved),
    /changed after the dataset was loaded \(its header changed\)\. Load the dataset again/,
  );
  await Deno.truncate(streamed.file.path, streamed.file.pixelsOffset + 10);
  assert.match(readError(streamed), /ends before byte \d+, inside an image\. Delete it/);
  await Deno.remove(streamed.file.path);
  assert.match(readError(streamed), /was removed after the dataset was loaded/);
});
