import assert from "node:assert/strict";
import { rotate, shearX, shearY, translateX, translateY } from "./geometric_ops.ts";

/** Returns a width x height image whose pixel (x, y) has value grid[y][x] in all three channels. */
function imageOf(grid: number[][]): Float32Array {
  return Float32Array.from(grid.flat().flatMap((value) => [value, value, value]));
}

/** Returns the first channel as rows, to compare with hand-made grids. */
function gridOf(image: Float32Array, height: number, width: number): number[][] {
  return Array.from(
    { length: height },
    (_, y) => Array.from({ length: width }, (_, x) => image[(y * width + x) * 3]),
  );
}

const THREE_BY_THREE = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];

const FOUR_BY_FOUR = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]];

Deno.test("translateX by 1 pixel", () => {
  const right = imageOf(THREE_BY_THREE);
  translateX(right, 3, 3, 1);
  assert.deepEqual(gridOf(right, 3, 3), [[0, 1, 2], [0, 4, 5], [0, 7, 8]]);
  const left = imageOf(THREE_BY_THREE);
  translateX(left, 3, 3, -1);
  assert.deepEqual(gridOf(left, 3, 3), [[2, 3, 0], [5, 6, 0], [8, 9, 0]]);
});

Deno.test("translateY by 1 pixel", () => {
  const image = imageOf(THREE_BY_THREE);
  translateY(image, 3, 3, 1);
  assert.deepEqual(gridOf(image, 3, 3), [[0, 0, 0], [1, 2, 3], [4, 5, 6]]);
});

Deno.test("shearX by 0.3", () => {
  // Row y samples column floor(x + 0.5 + 0.3 (y + 0.5)): offsets 0.15, 0.45, 0.75, 1.05 keep rows 0 and 1
  // and move rows 2 and 3 one pixel left, with fill 0 in the last column.
  const image = imageOf(FOUR_BY_FOUR);
  shearX(image, 4, 4, 0.3);
  assert.deepEqual(gridOf(image, 4, 4), [[1, 2, 3, 4], [5, 6, 7, 8], [10, 11, 12, 0], [14, 15, 16, 0]]);
});

Deno.test("shearY by 0.3", () => {
  const image = imageOf(FOUR_BY_FOUR);
  shearY(image, 4, 4, 0.3);
  assert.deepEqual(gridOf(image, 4, 4), [[1, 2, 7, 8], [5, 6, 11, 12], [9, 10, 15, 16], [13, 14, 0, 0]]);
});

Deno.test("rotate by 90 degrees turns counter-clockwise", () => {
  const image = imageOf(THREE_BY_THREE);
  rotate(image, 3, 3, 90);
  assert.deepEqual(gridOf(image, 3, 3), [[3, 6, 9], [2, 5, 8], [1, 4, 7]]);
});

Deno.test("rotate by 30 degrees fills the corners", () => {
  // Corner (0, 0) maps to about (1.77, -0.23), outside the 5 x 5 image; the centre maps to itself.
  const grid = Array.from({ length: 5 }, (_, y) => Array.from({ length: 5 }, (_, x) => 1 + y * 5 + x));
  const image = imageOf(grid);
  rotate(image, 5, 5, 30);
  const rotated = gridOf(image, 5, 5);
  assert.equal(rotated[0][0], 0);
  assert.equal(rotated[4][4], 0);
  assert.equal(rotated[2][2], 13);
});

Deno.test("geometric operations at 0 keep the image", () => {
  for (const operation of [shearX, shearY, translateX, translateY, rotate]) {
    const image = imageOf(FOUR_BY_FOUR);
    operation(image, 4, 4, 0);
    assert.deepEqual(gridOf(image, 4, 4), FOUR_BY_FOUR, operation.name);
  }
});
