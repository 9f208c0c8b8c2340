import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { hsvToRgb, luma, rgbToHsv } from "./_color.ts";

Deno.test("rgbToHsv matches hand values", () => {
  const hsv = new Float64Array(3);
  const cases: [number[], number[]][] = [
    [[1, 0, 0], [0, 1, 1]],
    [[0, 1, 0], [1 / 3, 1, 1]],
    [[0, 0, 0.5], [2 / 3, 1, 0.5]],
    [[0.2, 0.4, 0.6], [3.5 / 6, 2 / 3, 0.6]],
    [[0.3, 0.3, 0.3], [0, 0, 0.3]],
    [[0, 0, 0], [0, 0, 0]],
  ];
  for (const [rgb, expected] of cases) {
    rgbToHsv(rgb[0], rgb[1], rgb[2], hsv);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(hsv[i] - expected[i]) < 1e-12, `${rgb}: ${hsv}`);
  }
});

Deno.test("hsvToRgb inverts rgbToHsv", () => {
  const random = new Random(1);
  const hsv = new Float64Array(3);
  const rgb = new Float64Array(3);
  for (let i = 0; i < 1000; i++) {
    const color = [random.uniform(), random.uniform(), random.uniform()];
    rgbToHsv(color[0], color[1], color[2], hsv);
    hsvToRgb(hsv[0], hsv[1], hsv[2], rgb);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(rgb[c] - color[c]) < 1e-12, `${color} -> ${rgb}`);
  }
});

Deno.test("luma uses the BT.601 weights", () => {
  assert.ok(Math.abs(luma(1, 1, 1) - 1) < 1e-15);
  assert.equal(luma(1, 0, 0), 0.299);
  assert.equal(luma(0, 0, 1), 0.114);
});
