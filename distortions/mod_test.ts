import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { applyDistortion, DISTORTION_NAMES, type DistortionName, sampleDistortion } from "./mod.ts";
import { applyGaussianBlur } from "./blur.ts";
import { applyDiffusionNoise } from "./diffusion.ts";
import { applyPatchDropout } from "./dropout.ts";
import { applyMosaic } from "./mosaic.ts";
import { noiseImage, valueRange } from "./_testing.ts";

Deno.test("distortions keep shape and range", () => {
  const image = noiseImage(12, 10, 1);
  for (const name of DISTORTION_NAMES) {
    for (const level of [0, 0.3, 1]) {
      const output = applyDistortion(name, image, 12, 10, level, new Random(2));
      assert.ok(output instanceof Float32Array);
      assert.equal(output.length, image.length, `${name} at ${level}`);
      assert.notEqual(output, image);
      const { min, max } = valueRange(output);
      assert.ok(min >= 0, `${name} at ${level}: min ${min}`);
      assert.ok(max <= 1, `${name} at ${level}: max ${max}`);
    }
  }
});

Deno.test("distortions leave the input unchanged", () => {
  const image = noiseImage(8, 8, 3);
  const before = image.slice();
  for (const name of DISTORTION_NAMES) applyDistortion(name, image, 8, 8, 0.7, new Random(4));
  assert.deepEqual(image, before);
});

Deno.test("distortions repeat for the same seed", () => {
  const image = noiseImage(16, 16, 5);
  for (const name of DISTORTION_NAMES) {
    const first = applyDistortion(name, image, 16, 16, 0.6, new Random(6));
    assert.deepEqual(first, applyDistortion(name, image, 16, 16, 0.6, new Random(6)), name);
  }
});

Deno.test("distortions accept tiny images", () => {
  for (const [height, width] of [[1, 1], [2, 3], [3, 2], [1, 5]]) {
    const image = noiseImage(height, width, 7);
    for (const name of DISTORTION_NAMES) {
      for (const level of [0, 0.01, 0.5, 1]) {
        const output = applyDistortion(name, image, height, width, level, new Random(8));
        assert.equal(output.length, image.length, `${name} on ${height}x${width} at ${level}`);
      }
    }
  }
});

Deno.test("distortions reject invalid levels and shapes", () => {
  const image = noiseImage(4, 4, 9);
  for (const name of DISTORTION_NAMES) {
    for (const level of [NaN, -0.1, 1.5, Infinity]) {
      assert.throws(
        () => applyDistortion(name, image, 4, 4, level, new Random(1)),
        /level must be a number in \[0, 1\]/,
        `${name} at ${level}`,
      );
    }
    assert.throws(
      () => applyDistortion(name, image, 4, 5, 0.5, new Random(1)),
      /image length 48 does not match/,
    );
    assert.throws(() => applyDistortion(name, image, 0, 16, 0.5, new Random(1)), /positive integers/);
  }
});

Deno.test("applyDistortion dispatches by name", () => {
  const image = noiseImage(8, 8, 10);
  const cases: [DistortionName, (random: Random) => Float32Array][] = [
    ["diffusion", (random) => applyDiffusionNoise(image, 8, 8, 0.4, random)],
    ["blur", () => applyGaussianBlur(image, 8, 8, 0.4, { sigmaScale: "absolute" })],
    ["dropout", (random) => applyPatchDropout(image, 8, 8, 0.4, random, { patchSize: 3 })],
    ["mosaic", () => applyMosaic(image, 8, 8, 0.4)],
  ];
  const options = { sigmaScale: "absolute", patchSize: 3 } as const;
  for (const [name, direct] of cases) {
    assert.deepEqual(
      applyDistortion(name, image, 8, 8, 0.4, new Random(11), options),
      direct(new Random(11)),
      name,
    );
  }
});

Deno.test("applyDistortion rejects unknown names", () => {
  const image = noiseImage(2, 2, 12);
  assert.throws(
    () => applyDistortion("jpeg" as DistortionName, image, 2, 2, 0.5, new Random(1)),
    /unknown distortion "jpeg". Valid names are diffusion, blur, dropout, mosaic/,
  );
});

Deno.test("sampleDistortion draws names and levels uniformly", () => {
  const random = new Random(13);
  const counts = new Map<string, number>();
  let levelSum = 0;
  for (let i = 0; i < 4000; i++) {
    const { name, level } = sampleDistortion(random);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    assert.ok(level >= 0);
    assert.ok(level < 1);
    levelSum += level;
  }
  // Each name is expected 1000 times, std about 27.
  for (const name of DISTORTION_NAMES) {
    const count = counts.get(name) ?? 0;
    assert.ok(Math.abs(count - 1000) < 150, `${name} drawn ${count} times`);
  }
  assert.ok(Math.abs(levelSum / 4000 - 0.5) < 0.02);
});

Deno.test("sampleDistortion repeats and honours names", () => {
  assert.deepEqual(sampleDistortion(new Random(14)), sampleDistortion(new Random(14)));
  const random = new Random(15);
  for (let i = 0; i < 50; i++) {
    assert.ok(["blur", "mosaic"].includes(sampleDistortion(random, ["blur", "mosaic"]).name));
  }
  assert.throws(() => sampleDistortion(random, []), /names is empty/);
  assert.throws(() => sampleDistortion(random, ["noise" as DistortionName]), /unknown distortion "noise"/);
});
