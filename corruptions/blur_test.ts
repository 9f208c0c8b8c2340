import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import {
  DEFOCUS_BLUR_PARAMETERS,
  defocusBlur,
  defocusKernel,
  GAUSSIAN_BLUR_SIGMAS,
  gaussianBlur,
  GLASS_BLUR_PARAMETERS,
  glassBlur,
  MOTION_BLUR_PARAMETERS,
  motionBlur,
  sampleGlassMoves,
  zoomBlur,
  zoomBlurFactors,
} from "./blur.ts";
import { SEVERITIES } from "./_params.ts";
import { constantImage, meanAbsoluteDifference, sceneImage } from "./_testing.ts";

Deno.test("blur severity tables match CIFAR-10-C", () => {
  assert.deepEqual(DEFOCUS_BLUR_PARAMETERS, [[0.3, 0.4], [0.4, 0.5], [0.5, 0.6], [1, 0.2], [1.5, 0.1]]);
  assert.deepEqual(GLASS_BLUR_PARAMETERS, [[0.05, 1, 1], [0.25, 1, 1], [0.4, 1, 1], [0.25, 1, 2], [
    0.4,
    1,
    2,
  ]]);
  assert.deepEqual(MOTION_BLUR_PARAMETERS, [[6, 1], [6, 1.5], [6, 2], [8, 2], [9, 2.5]]);
  assert.deepEqual(GAUSSIAN_BLUR_SIGMAS, [0.4, 0.6, 0.7, 0.8, 1]);
});

Deno.test("zoomBlurFactors follow numpy arange", () => {
  assert.deepEqual(SEVERITIES.map((severity) => zoomBlurFactors(severity).length), [7, 12, 16, 21, 26]);
  const factors = zoomBlurFactors(5);
  assert.equal(factors[0], 1);
  assert.ok(Math.abs(factors[25] - 1.25) < 1e-12);
});

Deno.test("defocusKernel for a sub-pixel radius is a 3x3 Gaussian", () => {
  // Radius 0.3 keeps only the center of the disk, so the kernel is the 3 x 3 Gaussian
  // with sigma 0.4: weights proportional to exp(-k^2 / 0.32) per axis.
  const { kernel, side } = defocusKernel(0.3, 0.4);
  assert.equal(side, 3);
  const edge = Math.exp(-1 / 0.32);
  const axis = [edge, 1, edge].map((weight) => weight / (1 + 2 * edge));
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 3; x++) {
      assert.ok(Math.abs(kernel[y * 3 + x] - axis[y] * axis[x]) < 1e-15, `${y},${x}`);
    }
  }
});

Deno.test("defocusKernel smooths a disk", () => {
  for (const [radius, sigma] of DEFOCUS_BLUR_PARAMETERS) {
    const { kernel, side } = defocusKernel(radius, sigma);
    const sum = kernel.reduce((total, weight) => total + weight, 0);
    assert.ok(Math.abs(sum - 1) < 1e-12, `radius ${radius}: sum ${sum}`);
    assert.equal(side % 2, 1);
    assert.ok(side <= 2 * Math.floor(radius) + 3, `radius ${radius}: side ${side}`);
    const center = (side - 1) / 2;
    assert.equal(Math.max(...kernel), kernel[center * side + center]);
    for (let i = 0; i < kernel.length; i++) {
      assert.ok(Math.abs(kernel[i] - kernel[kernel.length - 1 - i]) < 1e-15);
    }
  }
  // Radius 1 covers the center and its 4 edge neighbours, so the edge neighbour outweighs the diagonal.
  const { kernel, side } = defocusKernel(1, 0.2);
  assert.equal(side, 5);
  assert.ok(kernel[1 * 5 + 2] > 0.15);
  assert.ok(kernel[1 * 5 + 1] < 0.01);
});

Deno.test("blurs keep a constant image", () => {
  const image = constantImage(20, 24, [0.2, 0.5, 0.7]);
  for (const severity of SEVERITIES) {
    for (
      const output of [
        defocusBlur(image, 20, 24, severity),
        gaussianBlur(image, 20, 24, severity),
        zoomBlur(image, 20, 24, severity),
        motionBlur(image, 20, 24, severity, new Random(severity)),
        glassBlur(image, 20, 24, severity, new Random(severity)),
      ]
    ) {
      for (let i = 0; i < output.length; i++) {
        assert.ok(Math.abs(output[i] - image[i]) < 1e-6, `severity ${severity}`);
      }
    }
  }
});

Deno.test("sampleGlassMoves draws up-left shifts", () => {
  const moves = sampleGlassMoves(32, 32, 1, 2, new Random(3));
  assert.equal(moves.length, 2 * 30 * 30 * 4);
  assert.deepEqual([moves[0], moves[1]], [31, 31]);
  const last = moves.length - 4;
  assert.deepEqual([moves[last], moves[last + 1]], [2, 2]);
  const shifts = new Set<string>();
  for (let i = 0; i < moves.length; i += 4) {
    shifts.add(`${moves[i + 2] - moves[i]},${moves[i + 3] - moves[i + 1]}`);
  }
  assert.deepEqual([...shifts].sort(), ["-1,-1", "-1,0", "0,-1", "0,0"]);
});

Deno.test("glassBlur copies pixels from up-left neighbours", () => {
  // At severity 1 the blur sigma 0.05 rounds to the identity kernel, so every output
  // pixel is an input pixel. One pass with shifts in {-1, 0} reads pixels that no
  // earlier move changed, so each pixel comes from itself or an up-left neighbour.
  const height = 12;
  const width = 10;
  const image = Float32Array.from(
    { length: height * width * 3 },
    (_, i) => (i + 1) / (height * width * 3 + 1),
  );
  const output = glassBlur(image, height, width, 1, new Random(9));
  const moves = sampleGlassMoves(height, width, 1, 1, new Random(9));
  const expected = image.slice();
  for (let i = 0; i < moves.length; i += 4) {
    const target = (moves[i] * width + moves[i + 1]) * 3;
    const source = (moves[i + 2] * width + moves[i + 3]) * 3;
    for (let c = 0; c < 3; c++) {
      assert.equal(expected[source + c], image[source + c], "a source pixel was already moved");
      expected[target + c] = expected[source + c];
    }
  }
  assert.deepEqual(output, expected);
  assert.notDeepEqual(output, image);
});

Deno.test("motionBlur smears along the sampled angle", () => {
  // A vertical line is unchanged by a vertical blur and spread by a horizontal one. The
  // angle is uniform in [-45, 45] degrees, so the smear is mostly horizontal.
  const height = 16;
  const width = 16;
  const image = constantImage(height, width, [0, 0, 0]);
  for (let y = 0; y < height; y++) image.fill(1, (y * width + 8) * 3, (y * width + 9) * 3);
  const output = motionBlur(image, height, width, 3, new Random(2));
  let leftOfLine = 0;
  let rightOfLine = 0;
  for (let y = 4; y < 12; y++) {
    leftOfLine += output[(y * width + 6) * 3];
    rightOfLine += output[(y * width + 10) * 3];
  }
  // Taps read pixels at offsets toward the angle, so the line spreads to the opposite side.
  assert.ok(leftOfLine > 0.5, `left ${leftOfLine}`);
  assert.equal(rightOfLine, 0);
});

Deno.test("zoomBlur blurs the border more than the center", () => {
  const image = sceneImage(32, 32);
  const output = zoomBlur(image, 32, 32, 5);
  let centerChange = 0;
  let borderChange = 0;
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const change = Math.abs(output[(y * 32 + x) * 3] - image[(y * 32 + x) * 3]);
      if (Math.max(Math.abs(y - 15.5), Math.abs(x - 15.5)) < 3) centerChange += change / 36;
      if (Math.min(y, x, 31 - y, 31 - x) === 0) borderChange += change / 124;
    }
  }
  // The red channel is a ramp of 0.7 / 31 per pixel. Zooms by up to 1.25 move pixels
  // near the center by under a pixel and those on the border by up to 3 pixels.
  assert.ok(centerChange < 0.015, `center ${centerChange}`);
  assert.ok(borderChange > 2 * centerChange, `border ${borderChange}, center ${centerChange}`);
});

Deno.test("gaussianBlur scales sigma with pixelScale", () => {
  const image = sceneImage(64, 64);
  const unscaled = meanAbsoluteDifference(gaussianBlur(image, 64, 64, 3, 1), image);
  const scaled = meanAbsoluteDifference(gaussianBlur(image, 64, 64, 3, 2), image);
  assert.ok(scaled > unscaled, `${scaled} <= ${unscaled}`);
  assert.throws(
    () => gaussianBlur(image, 64, 64, 3, 0),
    /gaussianBlur: pixel scale must be a finite number above 0, got 0/,
  );
});

Deno.test("glass and motion blur change with the generator", () => {
  const image = sceneImage(32, 32);
  for (const severity of SEVERITIES) {
    assert.notDeepEqual(
      glassBlur(image, 32, 32, severity, new Random(1)),
      glassBlur(image, 32, 32, severity, new Random(2)),
    );
  }
  assert.deepEqual(motionBlur(image, 32, 32, 4, new Random(1)), motionBlur(image, 32, 32, 4, new Random(1)));
});
