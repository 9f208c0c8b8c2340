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
