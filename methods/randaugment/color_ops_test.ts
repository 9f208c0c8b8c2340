import assert from "node:assert/strict";
import { assertNear } from "../_test_support.ts";
import {
  adjustBrightness,
  adjustColor,
  adjustContrast,
  adjustSharpness,
  autoContrast,
  equalize,
  posterize,
  solarize,
} from "./color_ops.ts";

function assertValues(actual: Float32Array, expected: number[], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((value, i) => assertNear(actual[i], value, tolerance, `value ${i}`));
}

/** Returns an image whose three channels all equal the given values. */
function grayImage(values: number[]): Float32Array {
  return Float32Array.from(values.flatMap((value) => [value, value, value]));
}

Deno.test("adjustBrightness scales and clamps", () => {
  const image = Float32Array.from([0.4, 0.8, 0]);
  adjustBrightness(image, 1.5);
  assertValues(image, [0.6, 1, 0], 1e-6);
});

Deno.test("adjustColor blends with grayscale", () => {
  // Gray of (1, 0, 0) is 0.2989; factor 0.5 gives 0.5 * channel + 0.5 * 0.2989.
  const image = Float32Array.from([1, 0, 0]);
  adjustColor(image, 0.5);
  assertValues(image, [0.64945, 0.14945, 0.14945], 1e-6);
  const gray = Float32Array.from([1, 0, 0]);
  adjustColor(gray, 0);
  assertValues(gray, [0.2989, 0.2989, 0.2989], 1e-6);
});

Deno.test("adjustContrast blends with the mean gray", () => {
  // Gray pixels 0.2 and 0.6 have gray values 0.9999 v (the weights sum to 0.9999), mean 0.39996.
  const image = grayImage([0.2, 0.6]);
  adjustContrast(image, 0.5);
  assertValues(image, [0.29998, 0.29998, 0.29998, 0.49998, 0.49998, 0.49998], 1e-6);
});

Deno.test("adjustSharpness filters interior pixels only", () => {
  // Centre 0.5 among eight 0.2: smoothed centre (5 * 0.5 + 8 * 0.2) / 13 = 4.1 / 13;
  // factor 1.5 gives 1.5 * 0.5 - 0.5 * 4.1 / 13 = 0.5923077. Border pixels are their own smoothed value.
  const image = grayImage([0.2, 0.2, 0.2, 0.2, 0.5, 0.2, 0.2, 0.2, 0.2]);
  adjustSharpness(image, 3, 3, 1.5);
  const expected = [0.2, 0.2, 0.2, 0.2, 0.5923077, 0.2, 0.2, 0.2, 0.2];
  assertValues(image, expected.flatMap((value) => [value, value, value]), 1e-6);
});

Deno.test("solarize at threshold 0.5", () => {
  const image = Float32Array.from([0.2, 0.5, 0.8]);
  solarize(image, 0.5);
  assertValues(image, [0.2, 0.5, 0.2], 1e-6);
});

Deno.test("posterize to 2 bits", () => {
  // Mask 0b11000000: 200 -> 192, 100 -> 64, 255 -> 192, 63 -> 0.
  const image = Float32Array.from([200, 100, 255, 63, 0, 128].map((value) => value / 255));
  posterize(image, 2);
  assertValues(image, [192, 64, 192, 0, 0, 128].map((value) => value / 255), 1e-7);
});

Deno.test("posterize to 8 bits keeps 8-bit values", () => {
  const image = Float32Array.from([0, 17, 254, 255].map((value) => value / 255));
  const before = image.slice();
  posterize(image, 8);
  assert.deepEqual(image, before);
  assert.throws(() => posterize(image, 0), /integer bit count in \[1, 8\], got 0/);
});

Deno.test("autoContrast stretches each channel", () => {
  // R 0.2..0.6 -> 0..1, G constant (kept), B 0.5..0.75 -> 0..1.
  const image = Float32Array.from([0.2, 0.3, 0.5, 0.4, 0.3, 0.5, 0.6, 0.3, 0.75]);
  autoContrast(image);
  assertValues(image, [0, 0.3, 0, 0.5, 0.3, 0, 1, 0.3, 1], 1e-6);
});

Deno.test("equalize by hand", () => {
  // 1024 pixels: 512 at 0, 256 at 128, 256 at 255. step = floor((1024 - 256) / 255) = 3,
  // so 0 -> floor(1 / 3) = 0, 128 -> floor((512 + 1) / 3) = 171, 255 -> min(255, floor(769 / 3)) = 255.
  const values = Array.from({ length: 1024 }, (_, p) => (p < 512 ? 0 : p < 768 ? 128 : 255) / 255);
  const image = grayImage(values);
  equalize(image);
  for (const [pixel, expected] of [[0, 0], [511, 0], [512, 171], [767, 171], [768, 255], [1023, 255]]) {
    assertNear(image[pixel * 3], expected / 255, 1e-7, `pixel ${pixel}`);
    assertNear(image[pixel * 3 + 2], expected / 255, 1e-7, `pixel ${pixel}, blue`);
  }
});

Deno.test("equalize keeps channels with step 0", () => {
  // 4 pixels: step = floor((4 - 1) / 255) = 0, so the image stays as it is, even off the 8-bit grid.
  const image = grayImage([0.1, 0.2, 0.3, 0.4]);
  const before = image.slice();
  equalize(image);
  assert.deepEqual(image, before);
});
