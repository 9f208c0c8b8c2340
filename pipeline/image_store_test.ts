import assert from "node:assert/strict";
import {
  fileImageStore,
  forEachImageChunk,
  memoryImageStore,
  type MemoryStoreMessage,
  openImageStore,
} from "./image_store.ts";
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

Deno.test("a file store names an index outside the split and a file cut inside an image", async () => {
  const streamed = await streamedCopy(randomSplit(3));
  const store = fileImageStore(streamed);
  try {
    assert.throws(() => store.read(Int32Array.of(3)), /Image index 3 is outside the split of 3 images/);
  } finally {
    store.close();
  }
  const cut = fileImageStore({ ...streamed, file: { ...streamed.file, pixelsOffset: 1e9 } });
  try {
    assert.throws(() => cut.read(Int32Array.of(0)), /ends at byte 1000000000, inside an image. Delete it/);
  } finally {
    cut.close();
  }
});
