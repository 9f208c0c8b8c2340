import assert from "node:assert/strict";
import { BadImagesError, formatBadImageList, removeImages } from "./bad_images.ts";
import type { BadImage } from "./decode_image.ts";
import type { ImageSplit } from "./types.ts";

/** Builds a split of `count` 1x1 images whose pixel bytes are 10 * index + channel. */
function numberedSplit(count: number): ImageSplit {
  const images = Uint8Array.from({ length: count * 3 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));
  const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
  return { images, labels, count, height: 1, width: 1 };
}

function makeBadImages(count: number): BadImage[] {
  return Array.from({ length: count }, (_, i) => ({ index: i, path: `/d/${i}.jpg`, reason: `reason ${i}` }));
}

Deno.test("removeImages keeps the rest in order", () => {
  const remaining = removeImages(numberedSplit(5), [3, 0]);

  assert.equal(remaining.count, 3);
  assert.deepEqual(Array.from(remaining.images), [10, 11, 12, 20, 21, 22, 40, 41, 42]);
  assert.deepEqual(Array.from(remaining.labels), [1, 0, 0]);
  assert.equal(remaining.height, 1);
  assert.equal(remaining.width, 1);
});

Deno.test("removeImages without indices returns the split", () => {
  const split = numberedSplit(2);

  assert.equal(removeImages(split, []), split);
});

Deno.test("formatBadImageList counts files past 20", () => {
  const lines = formatBadImageList(makeBadImages(23)).split("\n");

  assert.equal(lines.length, 21);
  assert.equal(lines[0], "  /d/0.jpg: reason 0");
  assert.equal(lines[19], "  /d/19.jpg: reason 19");
  assert.equal(lines[20], "  ... and 3 more");
});

Deno.test("formatBadImageList lists 20 files whole", () => {
  const lines = formatBadImageList(makeBadImages(20)).split("\n");

  assert.equal(lines.length, 20);
  assert.equal(lines[19], "  /d/19.jpg: reason 19");
});

Deno.test("BadImagesError names the files and fixes", () => {
  const badImages = makeBadImages(2);

  const error = new BadImagesError("/data/set", badImages);

  assert.equal(error.name, "BadImagesError");
  assert.equal(error.badImages, badImages);
  assert.match(error.message, /^Failed to decode 2 image\(s\) in \/data\/set:\n/);
  assert.match(error.message, /\/d\/1\.jpg: reason 1\n/);
  assert.match(error.message, /Replace or delete these files/);
  assert.match(error.message, /pass --skip-bad-images to bench/);
});
