/**
 * Procedural frost texture, the stand-in for the frost photographs of the CIFAR-10-C
 * generator.
 *
 * The reference crops a random 32 x 32 window from one of five photographs of ice on
 * glass, downscaled by 5. Those files are not part of this repository, so the texture
 * here is drawn from the seeded generator: a smooth haze (a plasma fractal) plus
 * needle-shaped crystals with side branches, slightly blurred and tinted pale blue.
 *
 * NOTE: the haze weight, crystal count, lengths and tint are set by eye to resemble
 * the photographs, not fitted to them, so the mean brightness and the texture
 * statistics differ from CIFAR-10-C's frost images. Over seeds 0 to 19 the per-channel
 * mean of this texture ranged from 0.18 to 0.35 (median 0.26) at 32, 64 and 224 pixels.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";
import { CHANNELS } from "../distortions/_image.ts";
import { gaussianFilter } from "./_filters.ts";
import { nextPowerOfTwo, plasmaFractal } from "./_plasma.ts";

/** Crystals per 32 x 32 pixels of area at pixel scale 1. */
const CRYSTALS_PER_TILE = 10;
/** Per-channel tint of the texture (R, G, B), a pale blue. */
const FROST_TINT = [0.86, 0.93, 1] as const;
/** Weights of the haze and of the crystal layer in the texture. */
const HAZE_WEIGHT = 0.45;
const CRYSTAL_WEIGHT = 0.8;

/** Adds `intensity` along a straight segment of `plane` [height, width], splatting bilinearly every half pixel. */
function drawSegment(
  plane: Float64Array,
  height: number,
  width: number,
  startY: number,
  startX: number,
  angle: number,
  length: number,
  intensity: number,
): void {
  const steps = Math.max(1, Math.ceil(2 * length));
  for (let step = 0; step <= steps; step++) {
    const y = startY + (step / steps) * length * Math.sin(angle);
    const x = startX + (step / steps) * length * Math.cos(angle);
    const y0 = Math.floor(y);
    const x0 = Math.floor(x);
    for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      const row = y0 + dy;
      const column = x0 + dx;
      if (row < 0 || row >= height || column < 0 || column >= width) continue;
      const weight = (dy ? y - y0 : 1 - (y - y0)) * (dx ? x - x0 : 1 - (x - x0));
      plane[row * width + column] += intensity * weight;
    }
  }
}

/**
 * Draws the crystal layer: straight needles at uniform positions and angles, each with
 * two side branches at +-60 degrees, blurred with sigma 0.6 * scale and rescaled to a
 * maximum of 1.
 */
function crystalLayer(height: number, width: number, scale: number, random: Random): Float64Array {
  const plane = new Float64Array(height * width);
  const tile = 32 * scale;
  const count = Math.max(1, Math.round((CRYSTALS_PER_TILE * height * width) / (tile * tile)));
  for (let i = 0; i < count; i++) {
    const startY = random.uniform() * height;
    const startX = random.uniform() * width;
    const angle = random.uniform() * Math.PI * 2;
    const length = (3 + 9 * random.uniform()) * scale;
    const intensity = 0.5 + 0.5 * random.uniform();
    drawSegment(plane, height, width, startY, startX, angle, length, intensity);
    for (const side of [-1, 1]) {
      const along = (0.2 + 0.6 * random.uniform()) * length;
      const branchY = startY + along * Math.sin(angle);
      const branchX = startX + along * Math.cos(angle);
      const branchAngle = angle + (side * Math.PI) / 3;
      drawSegment(plane, height, width, branchY, branchX, branchAngle, 0.4 * length, 0.8 * intensity);
    }
  }
  const blurred = gaussianFilter(plane, height, width, 1, 0.6 * scale);
  let max = 0;
  for (const value of blurred) max = Math.max(max, value);
  if (max > 0) { for (let i = 0; i < blurred.length; i++) blurred[i] /= max; }
  return blurred;
}

/**
 * Generates a frost texture: min(1, 0.45 haze + 0.8 crystals), tinted by (0.86, 0.93,
 * 1). The haze is a plasma fractal (decay 2) and the crystals come from
 * {@linkcode crystalLayer}. The generator draws the haze first, then the crystals.
 *
 * @param scale Pixel scale; crystal lengths and blur are defined for a 32-pixel image.
 * @returns Float64Array of shape [height, width, 3], values in [0, 1].
 */
export function frostTexture(height: number, width: number, scale: number, random: Random): Float64Array {
  const mapSize = nextPowerOfTwo(Math.max(height, width));
  const haze = plasmaFractal(mapSize, 2, random);
  const crystals = crystalLayer(height, width, scale, random);
  const texture = new Float64Array(height * width * CHANNELS);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const frost = Math.min(
        1,
        HAZE_WEIGHT * haze[y * mapSize + x] + CRYSTAL_WEIGHT * crystals[y * width + x],
      );
      for (let c = 0; c < CHANNELS; c++) texture[(y * width + x) * CHANNELS + c] = frost * FROST_TINT[c];
    }
  }
  return texture;
}
