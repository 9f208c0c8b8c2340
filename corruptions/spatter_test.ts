import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { mudMask, sampleLiquidLayer, spatter, SPATTER_PARAMETERS, waterMask } from "./spatter.ts";
import { cannyEdges, chamferDistance, equalizeHistogram, saturateUint8 } from "./_edges.ts";
import { sceneImage } from "./_testing.ts";

const MUD = [63 / 255, 42 / 255, 20 / 255];

Deno.test("spatter severity table matches CIFAR-10-C", () => {
  assert.deepEqual(SPATTER_PARAMETERS, [
    [0.62, 0.1, 0.7, 0.7, 0.5, 0],
    [0.65, 0.1, 0.8, 0.7, 0.5, 0],
    [0.65, 0.3, 1, 0.69, 0.5, 0],
    [0.65, 0.1, 0.7, 0.69, 0.6, 1],
    [0.65, 0.1, 0.5, 0.68, 0.6, 1],
  ]);
});

Deno.test("water spatter only brightens", () => {
  const image = sceneImage(32, 32);
  for (const severity of [1, 2, 3] as const) {
    let changed = 0;
    for (let seed = 0; seed < 4; seed++) {
      const output = spatter(image, 32, 32, severity, new Random(seed));
      for (let i = 0; i < image.length; i++) {
        assert.ok(output[i] >= image[i] - 1e-6, `severity ${severity}, value ${i}`);
        if (output[i] > image[i] + 1e-6) changed++;
      }
    }
    assert.ok(changed > 0, `severity ${severity}: no drop in 4 seeds`);
  }
});

Deno.test("mud spatter moves pixels toward brown", () => {
  // Mud blends x (1 - m) + brown m with m = 0 or m in [0.8, 1].
  const image = sceneImage(32, 32);
  for (const severity of [4, 5] as const) {
    const output = spatter(image, 32, 32, severity, new Random(3));
    let muddy = 0;
    for (let p = 0; p < 32 * 32; p++) {
      const unchanged = [0, 1, 2].every((c) => Math.abs(output[p * 3 + c] - image[p * 3 + c]) < 1e-6);
      if (unchanged) continue;
      muddy++;
      for (let c = 0; c < 3; c++) {
        const distance = Math.abs(output[p * 3 + c] - MUD[c]);
        assert.ok(
          distance <= 0.2 * Math.abs(image[p * 3 + c] - MUD[c]) + 1e-6,
          `severity ${severity}, pixel ${p}`,
        );
      }
    }
    assert.ok(muddy > 0, `severity ${severity}: no muddy pixel`);
    assert.ok(muddy < 32 * 32, `severity ${severity}: every pixel muddy`);
  }
});

Deno.test("waterMask is zero without liquid", () => {
  const dry = new Float64Array(16 * 16);
  assert.deepEqual(waterMask(dry, 16, 16, 0.5), new Float64Array(256));
  const liquid = sampleLiquidLayer(32, 32, 2, new Random(1));
  const mask = waterMask(liquid, 32, 32, 0.5);
  assert.ok(Math.abs(Math.max(...mask) - 0.5) < 1e-12);
  for (let i = 0; i < mask.length; i++) if (liquid[i] === 0) assert.equal(mask[i], 0);
});

Deno.test("mudMask keeps only values of 0.8 and above", () => {
  const liquid = sampleLiquidLayer(32, 32, 4, new Random(2));
  const mask = mudMask(liquid, 32, 32, 0.69, 0.6);
  for (const value of mask) assert.ok(value === 0 || (value >= 0.8 && value <= 1 + 1e-12), `${value}`);
});

Deno.test("cannyEdges finds a step", () => {
  // Columns 0..4 are 0 and 5..9 are 200. The Sobel norm is 800 at columns 4 and 5 and
  // 0 elsewhere. Non-maximum suppression keeps column 4 (norm > left, >= right).
  const plane = new Float64Array(10 * 10);
  for (let y = 0; y < 10; y++) for (let x = 5; x < 10; x++) plane[y * 10 + x] = 200;
  const edges = cannyEdges(plane, 10, 10, 50, 150);
  for (let y = 0; y < 10; y++) {
    for (let x = 0; x < 10; x++) assert.equal(edges[y * 10 + x], x === 4 ? 255 : 0, `${y},${x}`);
  }
  assert.deepEqual(cannyEdges(plane.map((value) => value / 10), 10, 10, 50, 150), new Uint8Array(100));
});

Deno.test("cannyEdges keeps weak edges linked to strong ones", () => {
  // Left half 0. Rows 0..4 of the right half are 100 (norm 400, strong), rows 5..9 are
  // 15 (norm 60, weak). Only the weak run linked to the strong run survives, and it
  // reaches the bottom because each weak pixel touches the one above.
  const plane = new Float64Array(10 * 10);
  for (let y = 0; y < 10; y++) for (let x = 5; x < 10; x++) plane[y * 10 + x] = y < 5 ? 100 : 15;
  const edges = cannyEdges(plane, 10, 10, 50, 150);
  assert.equal(edges[0 * 10 + 4], 255);
  assert.equal(edges[9 * 10 + 4], 255);
  const weakOnly = plane.map((value) => (value > 0 ? 15 : 0));
  assert.deepEqual(cannyEdges(weakOnly, 10, 10, 50, 150), new Uint8Array(100));
});

Deno.test("chamferDistance uses the 5x5 mask costs", () => {
  const plane = new Uint8Array(25).fill(255);
  plane[12] = 0;
  const distance = chamferDistance(plane, 5, 5);
  const at = (y: number, x: number) => distance[y * 5 + x];
  assert.equal(at(2, 2), 0);
  assert.equal(at(2, 3), 1);
  assert.equal(at(1, 1), 1.4);
  assert.equal(at(0, 2), 2);
  assert.equal(at(0, 3), 2.1969);
  assert.ok(Math.abs(at(0, 0) - 2.8) < 1e-12);
  assert.deepEqual(chamferDistance(new Uint8Array(4).fill(1), 2, 2), new Float64Array(4).fill(Infinity));
});

Deno.test("equalizeHistogram spreads the levels", () => {
  // Lowest level 0 has 2 of 4 pixels: level 1 maps to round(255 * 1 / 2) = 128 (ties
  // to even) and level 2 to 255.
  assert.deepEqual(Array.from(equalizeHistogram([0, 0, 1, 2])), [0, 0, 128, 255]);
  assert.deepEqual(Array.from(equalizeHistogram([7, 7, 7])), [7, 7, 7]);
  assert.deepEqual([127.5, 128.5, -3, 300, 4.4].map(saturateUint8), [128, 128, 0, 255, 4]);
});
