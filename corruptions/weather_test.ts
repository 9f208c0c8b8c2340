import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import {
  brightness,
  BRIGHTNESS_SHIFTS,
  fog,
  FOG_PARAMETERS,
  frost,
  FROST_PARAMETERS,
  snow,
  SNOW_PARAMETERS,
} from "./weather.ts";
import { frostTexture } from "./_frost.ts";
import { nextPowerOfTwo, plasmaFractal } from "./_plasma.ts";
import { SEVERITIES } from "./_params.ts";
import { firstValueOutsideUnit, sceneImage } from "./_testing.ts";

Deno.test("weather severity tables match CIFAR-10-C", () => {
  assert.deepEqual(SNOW_PARAMETERS[0], [0.1, 0.2, 1, 0.6, 8, 3, 0.95]);
  assert.deepEqual(SNOW_PARAMETERS[4], [0.3, 0.3, 1.25, 0.65, 14, 12, 0.8]);
  assert.deepEqual(FROST_PARAMETERS, [[1, 0.2], [1, 0.3], [0.9, 0.4], [0.85, 0.4], [0.75, 0.45]]);
  assert.deepEqual(FOG_PARAMETERS, [[0.2, 3], [0.5, 3], [0.75, 2.5], [1, 2], [1.5, 1.75]]);
  assert.deepEqual(BRIGHTNESS_SHIFTS, [0.05, 0.1, 0.15, 0.2, 0.3]);
});

Deno.test("brightness raises the HSV value", () => {
  // Value 0.6 + 0.05 scales (0.2, 0.4, 0.6) by 0.65 / 0.6. Black becomes the shift in
  // gray, white stays white, and (0.5, 0.9, 0.3) at shift 0.3 saturates at value 1.
  const image = Float32Array.of(0.2, 0.4, 0.6, 0, 0, 0, 1, 1, 1, 0.5, 0.9, 0.3);
  const expectedAtShift = (shift: number) => [
    ...[0.2, 0.4, 0.6].map((v) => (v * Math.min(1, 0.6 + shift)) / 0.6),
    shift,
    shift,
    shift,
    1,
    1,
    1,
    ...[0.5, 0.9, 0.3].map((v) => (v * Math.min(1, 0.9 + shift)) / 0.9),
  ];
  for (const severity of SEVERITIES) {
    const output = brightness(image, 1, 4, severity);
    const expected = expectedAtShift(BRIGHTNESS_SHIFTS[severity - 1]);
    for (let i = 0; i < 12; i++) {
      assert.ok(
        Math.abs(output[i] - expected[i]) < 1e-6,
        `severity ${severity}, value ${i}: ${output[i]} vs ${expected[i]}`,
      );
    }
  }
});

Deno.test("fog adds a normalized gray fractal", () => {
  // On a 32 x 32 image the whole 32 x 32 fractal is used, so undoing the fog formula
  // recovers a map with minimum 0 and maximum 1, equal across channels.
  const image = sceneImage(32, 32);
  let max = 0;
  for (const value of image) max = Math.max(max, value);
  for (const severity of SEVERITIES) {
    const [strength] = FOG_PARAMETERS[severity - 1];
    const output = fog(image, 32, 32, severity, new Random(severity));
    let low = Infinity;
    let high = -Infinity;
    for (let p = 0; p < 32 * 32; p++) {
      const recovered = [0, 1, 2].map((c) =>
        (output[p * 3 + c] * (max + strength) / max - image[p * 3 + c]) / strength
      );
      assert.ok(
        Math.abs(recovered[0] - recovered[1]) < 1e-5 && Math.abs(recovered[1] - recovered[2]) < 1e-5,
        `pixel ${p}`,
      );
      low = Math.min(low, recovered[0]);
      high = Math.max(high, recovered[0]);
    }
    assert.ok(Math.abs(low) < 1e-5, `severity ${severity}: min ${low}`);
    assert.ok(Math.abs(high - 1) < 1e-5, `severity ${severity}: max ${high}`);
  }
});

Deno.test("plasmaFractal is normalized and seeded", () => {
  const map = plasmaFractal(32, 2, new Random(1));
  assert.equal(map.length, 1024);
  assert.equal(Math.min(...map), 0);
  assert.equal(Math.max(...map), 1);
  assert.deepEqual(plasmaFractal(32, 2, new Random(1)), map);
  assert.notDeepEqual(plasmaFractal(32, 2, new Random(2)), map);
  assert.deepEqual(plasmaFractal(1, 2, new Random(1)), Float64Array.of(0));
  assert.throws(() => plasmaFractal(24, 2, new Random(1)), /size must be a power of two >= 1, got 24/);
  assert.throws(() => plasmaFractal(8, 0, new Random(1)), /decay must be a finite number above 0, got 0/);
  assert.deepEqual([1, 2, 3, 32, 33, 224].map(nextPowerOfTwo), [1, 2, 4, 32, 64, 256]);
});

Deno.test("plasmaFractal is smoother for a larger decay", () => {
  const roughness = (decay: number) => {
    let total = 0;
    for (let seed = 0; seed < 10; seed++) {
      const map = plasmaFractal(32, decay, new Random(seed));
      for (let i = 1; i < map.length; i++) total += Math.abs(map[i] - map[i - 1]);
    }
    return total;
  };
  assert.ok(roughness(3) < roughness(1.75), `${roughness(3)} >= ${roughness(1.75)}`);
});

Deno.test("snow only brightens", () => {
  // Whitening takes max(x, 1.5 luma + 0.5) >= x and the streaks are >= 0.
  const image = sceneImage(32, 32);
  for (const severity of SEVERITIES) {
    const output = snow(image, 32, 32, severity, new Random(severity));
    for (let i = 0; i < image.length; i++) {
      assert.ok(output[i] >= image[i] - 1e-6, `severity ${severity}, value ${i}`);
    }
  }
});

Deno.test("frost blends the image and the texture", () => {
  const image = sceneImage(24, 20);
  for (const severity of SEVERITIES) {
    const [imageWeight, frostWeight] = FROST_PARAMETERS[severity - 1];
    const output = frost(image, 24, 20, severity, new Random(4));
    const texture = frostTexture(24, 20, 1, new Random(4));
    for (let i = 0; i < image.length; i++) {
      const expected = Math.min(1, imageWeight * image[i] + frostWeight * texture[i]);
      assert.ok(Math.abs(output[i] - expected) < 1e-6, `severity ${severity}, value ${i}`);
    }
  }
});

Deno.test("frostTexture is seeded, pale blue and in range", () => {
  const texture = frostTexture(32, 32, 1, new Random(5));
  assert.deepEqual(frostTexture(32, 32, 1, new Random(5)), texture);
  assert.notDeepEqual(frostTexture(32, 32, 1, new Random(6)), texture);
  assert.equal(firstValueOutsideUnit(Float32Array.from(texture)), -1);
  const means = [0, 0, 0];
  for (let i = 0; i < texture.length; i++) means[i % 3] += texture[i] / 1024;
  assert.ok(means[0] < means[1], `channel means ${means}`);
  assert.ok(means[1] < means[2], `channel means ${means}`);
  assert.ok(means[2] > 0.1, `blue mean ${means[2]}`);
  assert.ok(means[2] < 0.6, `blue mean ${means[2]}`);
});
