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
