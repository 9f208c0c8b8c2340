import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import {
  affineFromPoints,
  contrast,
  CONTRAST_FACTORS,
  ELASTIC_TRANSFORM_PARAMETERS,
  elasticTransform,
  JPEG_QUALITIES,
  jpegCompression,
  pixelate,
  PIXELATE_FACTORS,
  saturate,
  SATURATE_PARAMETERS,
} from "./digital.ts";
import { jpegRoundTrip } from "./_jpeg.ts";
import { SEVERITIES } from "./_params.ts";
import { constantImage, meanAbsoluteDifference, sceneImage } from "./_testing.ts";

Deno.test("digital severity tables match CIFAR-10-C", () => {
  assert.deepEqual(CONTRAST_FACTORS, [0.75, 0.5, 0.4, 0.3, 0.15]);
  assert.deepEqual(PIXELATE_FACTORS, [0.95, 0.9, 0.85, 0.75, 0.65]);
  assert.deepEqual(JPEG_QUALITIES, [80, 65, 58, 50, 40]);
  assert.deepEqual(SATURATE_PARAMETERS, [[0.3, 0], [0.1, 0], [1.5, 0], [2, 0.1], [2.5, 0.2]]);
  // The reference writes IMSIZE * fraction with IMSIZE = 32.
  assert.deepEqual(
    ELASTIC_TRANSFORM_PARAMETERS.map((row) => row.map((value) => Math.round(value * 3200) / 100)),
    [
      [0, 0, 2.56],
      [1.6, 6.4, 2.24],
      [2.56, 1.92, 1.92],
      [3.2, 1.28, 1.6],
      [3.2, 0.96, 0.96],
    ],
  );
});

Deno.test("contrast shrinks toward the channel means", () => {
  // Channel means (0.4, 0.6, 0.8); factor 0.5 halves each deviation.
  const image = Float32Array.of(0.2, 0.4, 0.6, 0.6, 0.8, 1);
  const output = contrast(image, 1, 2, 2);
  const expected = [0.3, 0.5, 0.7, 0.5, 0.7, 0.9];
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(output[i] - expected[i]) < 1e-6, `value ${i}: ${output[i]}`);
});

Deno.test("saturate scales the HSV saturation", () => {
  // (0.2, 0.4, 0.6): value 0.6, saturation 2/3, hue 3.5 / 6. Factor 0.1 gives
  // saturation 1/15, so p = 0.6 (1 - 1/15) = 0.56, q = 0.6 (1 - 0.5 / 15) = 0.58.
  // Severity 5 gives min(1, 2/3 * 2.5 + 0.2) = 1, so p = 0 and q = 0.3.
  const image = Float32Array.of(0.2, 0.4, 0.6);
  const cases: [1 | 2 | 3 | 4 | 5, number[]][] = [[2, [0.56, 0.58, 0.6]], [5, [0, 0.3, 0.6]]];
  for (const [severity, expected] of cases) {
    const output = saturate(image, 1, 1, severity);
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(output[c] - expected[c]) < 1e-6, `severity ${severity}: ${output}`);
    }
  }
  const grayPixel = Float32Array.of(0.3, 0.3, 0.3);
  assert.deepEqual(saturate(grayPixel, 1, 1, 1), grayPixel);
});

Deno.test("pixelate averages blocks at a known factor", () => {
  // Severity 5 on 4 x 4: floor(4 * 0.65) = 2, so each 2 x 2 block becomes its mean.
  const image = Float32Array.from({ length: 4 * 4 * 3 }, (_, i) => (i % 13) / 13);
  const output = pixelate(image, 4, 4, 5);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      for (let c = 0; c < 3; c++) {
        let mean = 0;
        for (const dy of [0, 1]) {
          for (const dx of [0, 1]) mean += image[((2 * (y >> 1) + dy) * 4 + 2 * (x >> 1) + dx) * 3 + c] / 4;
        }
        assert.ok(Math.abs(output[(y * 4 + x) * 3 + c] - mean) < 1e-6, `${y},${x},${c}`);
      }
    }
  }
  const flat = constantImage(32, 32, [0.1, 0.5, 0.9]);
  for (const severity of SEVERITIES) {
    const pixelated = pixelate(flat, 32, 32, severity);
    for (let i = 0; i < flat.length; i++) assert.ok(Math.abs(pixelated[i] - flat[i]) < 1e-6);
  }
});

Deno.test("affineFromPoints maps the three points", () => {
  const from = [10, 10, 10, 2, 2, 2];
  const to = [11, 9.5, 10.2, 1, 3, 2.5];
  const [a, b, c, d, e, f] = affineFromPoints(from, to);
  for (let i = 0; i < 3; i++) {
    const x = from[2 * i];
    const y = from[2 * i + 1];
    assert.ok(Math.abs(a * x + b * y + c - to[2 * i]) < 1e-12, `point ${i} x`);
    assert.ok(Math.abs(d * x + e * y + f - to[2 * i + 1]) < 1e-12, `point ${i} y`);
  }
  assert.throws(() => affineFromPoints([0, 0, 1, 1, 2, 2], to), /are collinear/);
});

Deno.test("elasticTransform keeps a constant image and moves a scene", () => {
  const flat = constantImage(32, 32, [0.3, 0.6, 0.9]);
  const image = sceneImage(32, 32);
  for (const severity of SEVERITIES) {
    const output = elasticTransform(flat, 32, 32, severity, new Random(severity));
    for (let i = 0; i < flat.length; i++) {
      assert.ok(Math.abs(output[i] - flat[i]) < 1e-6, `severity ${severity}`);
    }
    const moved = elasticTransform(image, 32, 32, severity, new Random(severity));
    const change = meanAbsoluteDifference(moved, image);
    assert.ok(change > 0.001, `severity ${severity}: change ${change}`);
    assert.ok(change < 0.2, `severity ${severity}: change ${change}`);
  }
});

Deno.test("jpegCompression uses the table quality", () => {
  const image = sceneImage(16, 24);
  for (const severity of SEVERITIES) {
    assert.deepEqual(
      jpegCompression(image, 16, 24, severity),
      jpegRoundTrip(image, 16, 24, JPEG_QUALITIES[severity - 1]),
    );
  }
});
