/**
 * Poisson sampling for the shot-noise corruption.
 *
 * @module
 */

import type { Random } from "../engine/random.ts";

/** Rates below this use inversion, rates at or above it transformed rejection. */
const REJECTION_MIN_RATE = 10;

/**
 * Returns log(k!) for an integer k >= 0: a direct sum below 20, Stirling's series
 * with terms up to 1 / (1260 n^5), n = k + 1, above (error below 1e-12).
 */
export function logFactorial(k: number): number {
  if (k < 20) {
    let sum = 0;
    for (let i = 2; i <= k; i++) sum += Math.log(i);
    return sum;
  }
  const n = k + 1;
  const inverse = 1 / n;
  const inverseSquared = inverse * inverse;
  return (n - 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) +
    inverse * (1 / 12 - inverseSquared * (1 / 360 - inverseSquared / 1260));
}

/** Inversion by sequential search: walks the CDF from 0 until it passes one uniform draw. */
function samplePoissonInversion(rate: number, random: Random): number {
  const uniform = random.uniform();
  let k = 0;
  let probability = Math.exp(-rate);
  let cumulative = probability;
  while (uniform >= cumulative && probability > 0) {
    k++;
    probability *= rate / k;
    cumulative += probability;
  }
  return k;
}

/**
 * Samples by transformed rejection with squeeze (PTRS, Hörmann 1993, "The transformed
 * rejection method for generating Poisson random variables"), with the constants and
 * acceptance tests that numpy's `random_poisson_ptrs` uses. Valid for rate >= 10.
 */
function samplePoissonRejection(rate: number, random: Random): number {
  const rootRate = Math.sqrt(rate);
  const logRate = Math.log(rate);
  const b = 0.931 + 2.53 * rootRate;
  const a = -0.059 + 0.02483 * b;
  const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const acceptBound = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random.uniform() - 0.5;
    const v = random.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor((2 * a / us + b) * u + rate + 0.43);
    if (us >= 0.07 && v <= acceptBound) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    const logAcceptance = Math.log(v * inverseAlpha / (a / (us * us) + b));
    if (logAcceptance <= -rate + k * logRate - logFactorial(k)) return k;
  }
}

/**
 * Draws one Poisson(rate) sample: inversion for rates below 10, transformed rejection
 * (PTRS) from 10 on. A rate of 0 returns 0.
 *
 * @param rate Mean of the distribution, a finite number >= 0.
 */
export function samplePoisson(rate: number, random: Random): number {
  if (!(rate >= 0 && Number.isFinite(rate))) {
    throw new RangeError(`samplePoisson: rate must be a finite number >= 0, got ${rate}`);
  }
  if (rate === 0) return 0;
  return rate < REJECTION_MIN_RATE
    ? samplePoissonInversion(rate, random)
    : samplePoissonRejection(rate, random);
}
