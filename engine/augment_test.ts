import assert from "node:assert/strict";
import { copyImage, cropAndFlip, defaultCropPadding } from "./augment.ts";
import { Random } from "./random.ts";

function makeImage(height: number, width: number): Uint8Array {
  const image = new Uint8Array(height * width * 3);
  for (let i = 0; i < image.length; i++) image[i] = (i * 7) % 256;
  return image;
}

Deno.test("crop padding scales with side", () => {
  assert.equal(defaultCropPadding(32), 4);
  assert.equal(defaultCropPadding(64), 8);
  assert.equal(defaultCropPadding(8), 1);
});

Deno.test("cropAndFlip without padding is a flip or a copy", () => {
  const image = makeImage(3, 4);
  const output = new Float32Array(3 * 4 * 3);
  const plain = new Float32Array(3 * 4 * 3);
  copyImage(image, 0, image.length, plain, 0);
  const random = new Random(5);
  let flips = 0;
  for (let trial = 0; trial < 20; trial++) {
    cropAndFlip(image, 0, 3, 4, 0, random, output, 0);
    const unchanged = output.every((value, i) => value === plain[i]);
    if (!unchanged) {
      flips++;
      // The first pixel of a flipped row is the last pixel of the source row.
      assert.equal(output[0], plain[(3) * 3]);
    }
  }
  assert.ok(flips > 0, "never flipped");
  assert.ok(flips < 20, "always flipped");
});

Deno.test("cropAndFlip pads with zeros and keeps range", () => {
  const image = new Uint8Array(8 * 8 * 3).fill(255);
  const output = new Float32Array(8 * 8 * 3);
  const random = new Random(1);
  let sawPadding = false;
  for (let trial = 0; trial < 20; trial++) {
    cropAndFlip(image, 0, 8, 8, 2, random, output, 0);
    for (const value of output) assert.ok(value === 0 || value === 1);
    if (output.includes(0)) sawPadding = true;
  }
  assert.ok(sawPadding);
});
