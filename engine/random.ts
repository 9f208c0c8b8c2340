/**
 * Seeded pseudo-random generator used for every random choice in training and
 * evaluation, so that a run is replayable from its seed.
 *
 * The generator is xoshiro128** (Blackman and Vigna, 2018) with 32-bit state
 * words, seeded through splitmix32 so that nearby seeds give unrelated streams.
 *
 * @module
 */

/** Serializable generator state: four unsigned 32-bit words. */
export type RandomState = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** A seeded xoshiro128** generator with helpers for the distributions the suite needs. */
export class Random {
  #state: Uint32Array;
  #spareNormal: number | null = null;

  /**
   * Creates a generator from an integer seed and an optional stream number.
   *
   * @param seed Any integer; the same seed and stream always give the same sequence.
   * @param stream Selects an independent sequence for the same seed (for example per worker or per epoch).
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isInteger(seed) || !Number.isInteger(stream)) {
      throw new RangeError(`Random seed and stream must be integers, got seed=${seed}, stream=${stream}`);
    }
    const next = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
    this.#state = new Uint32Array([next(), next(), next(), next()]);
    if (this.#state.every((word) => word === 0)) this.#state[0] = 1;
  }

  /** Returns a copy of the state, for checkpoints. */
  getState(): RandomState {
    const [a, b, c, d] = this.#state;
    return [a, b, c, d];
  }

  /** Restores a state returned by {@linkcode Random.getState}. */
  setState(state: RandomState): void {
    this.#state.set(state);
    this.#spareNormal = null;
  }

  /** Returns the next unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.#state;
    const result = Math.imul(rotateLeft(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotateLeft(s[3], 11);
    return result;
  }

  /** Returns a float uniformly distributed in [0, 1), with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Returns an integer uniformly distributed in [0, n). */
  integer(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`Random.integer needs a positive integer bound, got ${n}`);
    }
    return Math.floor(this.uniform() * n);
  }

  /** Returns a standard normal sample (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const spare = this.#spareNormal;
      this.#spareNormal = null;
      return spare;
    }
    // 1 - uniform() lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.#spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /**
   * Returns a Gamma(shape, 1) sample (Marsaglia and Tsang, 2000).
   *
   * For shape >= 1 it draws normals until the squeeze or the log test accepts.
   * For shape < 1 it returns Gamma(shape + 1) * U^(1 / shape), U ~ U(0, 1], which
   * has the Gamma(shape) law and may underflow to 0 for very small shapes.
   *
   * @param shape Shape k > 0; the mean and the variance are both k.
   * @throws {RangeError} when the shape is not a finite number above 0.
   */
  gamma(shape: number): number {
    if (!(shape > 0 && Number.isFinite(shape))) {
      throw new RangeError(`Random.gamma needs a finite shape above 0, got ${shape}`);
    }
    if (shape < 1) {
      const boost = 1 - this.uniform();
      return this.gamma(shape + 1) * Math.pow(boost, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.normal();
      const base = 1 + c * x;
      if (base <= 0) continue;
      const v = base * base * base;
      // 1 - uniform() lies in (0, 1], so its logarithm is finite.
      const u = 1 - this.uniform();
      if (u < 1 - 0.0331 * x ** 4) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /**
   * Returns a Beta(a, b) sample in [0, 1], as X / (X + Y) with X ~ Gamma(a) and Y ~ Gamma(b).
   *
   * When both gamma draws underflow to 0 (only for shapes far below 1), it
   * returns 1 with probability a / (a + b) and 0 otherwise, the limit of the
   * Beta law as both shapes go to 0.
   *
   * @param a First shape, a finite number above 0; the mean is a / (a + b).
   * @param b Second shape, a finite number above 0.
   * @throws {RangeError} when a shape is not a finite number above 0.
   */
  beta(a: number, b: number): number {
    if (!(a > 0 && Number.isFinite(a)) || !(b > 0 && Number.isFinite(b))) {
      throw new RangeError(`Random.beta needs finite shapes above 0, got a=${a}, b=${b}`);
    }
    const x = this.gamma(a);
    const y = this.gamma(b);
    if (x + y === 0) return this.uniform() < a / (a + b) ? 1 : 0;
    return x / (x + y);
  }

  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      const swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
    return values;
  }
}
