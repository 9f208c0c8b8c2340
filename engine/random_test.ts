import assert from "node:assert/strict";
import { Random } from "./random.ts";

Deno.test("Random repeats for the same seed", () => {
  const first = new Random(7);
  const second = new Random(7);
  for (let i = 0; i < 100; i++) assert.equal(first.nextUint32(), second.nextUint32());
});

Deno.test("Random streams differ for one seed", () => {
  const first = new Random(7, 0);
  const second = new Random(7, 1);
  const same = Array.from({ length: 20 }, () => first.nextUint32() === second.nextUint32());
  assert.ok(same.filter(Boolean).length < 2);
});

Deno.test("Random state round-trips", () => {
  const random = new Random(3);
  random.uniform();
  const state = random.getState();
  const expected = [random.uniform(), random.uniform()];
  random.setState(state);
  assert.deepEqual([random.uniform(), random.uniform()], expected);
});

Deno.test("Random uniform and normal moments", () => {
  const random = new Random(11);
  const count = 20000;
  let uniformSum = 0;
  let normalSum = 0;
  let normalSquares = 0;
  for (let i = 0; i < count; i++) {
    const u = random.uniform();
    assert.ok(u >= 0);
    assert.ok(u < 1);
    uniformSum += u;
    const z = random.normal();
    normalSum += z;
    normalSquares += z * z;
  }
  assert.ok(Math.abs(uniformSum / count - 0.5) < 0.01);
  assert.ok(Math.abs(normalSum / count) < 0.03);
  assert.ok(Math.abs(normalSquares / count - 1) < 0.05);
});

Deno.test("Random integer rejects bad bounds", () => {
  const random = new Random(1);
  assert.throws(() => random.integer(0), /positive integer/);
  assert.throws(() => random.integer(2.5), /positive integer/);
  for (let i = 0; i < 100; i++) assert.ok(random.integer(3) < 3);
});

/** Raw moment E[X^r] of Gamma(k, 1): k (k + 1) ... (k + r - 1). */
function gammaMoment(shape: number, order: number): number {
  let moment = 1;
  for (let i = 0; i < order; i++) moment *= shape + i;
  return moment;
}

/** Raw moment E[X^r] of Beta(a, b): the product of (a + i) / (a + b + i) for i < r. */
function betaMoment(a: number, b: number, order: number): number {
  let moment = 1;
  for (let i = 0; i < order; i++) moment *= (a + i) / (a + b + i);
  return moment;
}

/**
 * Checks the sample mean of X and of X^2 against the exact raw moments, each
 * within 5 standard errors, the error of E[X^r] being sqrt((m_2r - m_r^2) / n).
 */
function assertMoments(samples: Float64Array, moment: (order: number) => number, label: string): void {
  for (const order of [1, 2]) {
    const expected = moment(order);
    const standardError = Math.sqrt((moment(2 * order) - expected * expected) / samples.length);
    const actual = samples.reduce((sum, value) => sum + value ** order, 0) / samples.length;
    assert.ok(
      Math.abs(actual - expected) < 5 * standardError,
      `${label} E[X^${order}]: got ${actual}, expected ${expected} within ${5 * standardError}`,
    );
  }
}

Deno.test("Random gamma moments", () => {
  const random = new Random(21);
  for (const shape of [0.3, 0.8, 1, 2.5, 9]) {
    const samples = Float64Array.from({ length: 100_000 }, () => random.gamma(shape));
    assert.ok(samples.every((value) => value >= 0 && Number.isFinite(value)), `Gamma(${shape}) range`);
    assertMoments(samples, (order) => gammaMoment(shape, order), `Gamma(${shape})`);
  }
});

Deno.test("Random beta moments", () => {
  const random = new Random(22);
  for (const [a, b] of [[0.8, 0.8], [1, 1], [2, 5], [0.2, 0.5]]) {
    const samples = Float64Array.from({ length: 100_000 }, () => random.beta(a, b));
    assert.ok(samples.every((value) => value >= 0 && value <= 1), `Beta(${a}, ${b}) range`);
    assertMoments(samples, (order) => betaMoment(a, b, order), `Beta(${a}, ${b})`);
  }
});

Deno.test("Random beta repeats for the same seed", () => {
  const first = new Random(5);
  const second = new Random(5);
  for (let i = 0; i < 50; i++) assert.equal(first.beta(0.8, 0.8), second.beta(0.8, 0.8));
});

Deno.test("Random gamma and beta reject bad shapes", () => {
  const random = new Random(1);
  assert.throws(() => random.gamma(0), /finite shape above 0, got 0/);
  assert.throws(() => random.gamma(Number.NaN), /got NaN/);
  assert.throws(() => random.beta(1, -2), /got a=1, b=-2/);
  assert.throws(() => random.beta(Number.POSITIVE_INFINITY, 1), /finite shapes above 0/);
});

Deno.test("Random beta with tiny shapes returns 0 or 1", () => {
  // Gamma(1e-4) underflows to 0 almost always, so Beta(1e-4, 1e-4) takes its limit law.
  const random = new Random(3);
  const samples = Array.from({ length: 2000 }, () => random.beta(1e-4, 1e-4));
  assert.ok(samples.every((value) => value >= 0 && value <= 1));
  const ones = samples.filter((value) => value > 0.5).length;
  assert.ok(ones > 850, `expected about half near 1, got ${ones} of 2000`);
  assert.ok(ones < 1150, `expected about half near 1, got ${ones} of 2000`);
});
