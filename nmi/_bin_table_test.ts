import assert from "node:assert/strict";
import { Random } from "../engine/random.ts";
import { AMBIGUOUS_BIN, buildBinTable, exactBin, TABLE_SHIFT } from "./_bin_table.ts";

/** Returns the float32 whose bit pattern is `word`. */
function float32FromWord(word: number): number {
  const scratch = new Uint32Array([word]);
  return new Float32Array(scratch.buffer)[0];
}

Deno.test("exactBin clamps and caps values", () => {
  const cases: [number, number][] = [
    [-1, 0],
    [NaN, 0],
    [-Infinity, 0],
    [-0, 0],
    [0, 0],
    [0.24, 0],
    [0.25, 1],
    [0.99, 3],
    [1, 3],
    [2, 3],
    [Infinity, 3],
  ];
  for (const [value, expected] of cases) {
    assert.equal(exactBin(value, 4), expected, `value ${value}`);
  }
});

Deno.test("bin table agrees with exactBin", () => {
  const random = new Random(21);
  for (const bins of [2, 3, 7, 64, 100, 128, 1000, 4096]) {
    const binOfSlot = buildBinTable(bins);
    let checked = 0;
    for (let n = 0; n < 20000; n++) {
      // Half the patterns are arbitrary, half are floats in [0, 1).
      const word = n % 2 === 0
        ? random.nextUint32()
        : new Uint32Array(new Float32Array([random.uniform()]).buffer)[0];
      const bin = binOfSlot[word >>> TABLE_SHIFT];
      if (bin === AMBIGUOUS_BIN) continue;
      checked++;
      assert.equal(
        bin,
        exactBin(float32FromWord(word), bins),
        `${bins} bins, pattern 0x${word.toString(16)}`,
      );
    }
    assert.ok(checked > 10000, `${bins} bins: only ${checked} of 20000 patterns had a table entry`);
  }
});

Deno.test("bin table marks slots with an edge ambiguous", () => {
  for (const bins of [3, 7, 100]) {
    const binOfSlot = buildBinTable(bins);
    for (let k = 1; k < bins; k++) {
      const edgeWord = new Uint32Array(new Float32Array([k / bins]).buffer)[0];
      const slot = edgeWord >>> TABLE_SHIFT;
      const lowest = exactBin(float32FromWord(slot * 2 ** TABLE_SHIFT), bins);
      const highest = exactBin(float32FromWord(slot * 2 ** TABLE_SHIFT + 2 ** TABLE_SHIFT - 1), bins);
      if (lowest !== highest) assert.equal(binOfSlot[slot], AMBIGUOUS_BIN, `${bins} bins, edge ${k}`);
    }
  }
});

Deno.test("bin table of power-of-two bins is exact in [0, 1]", () => {
  for (let bits = 1; bits <= 10; bits++) {
    const binOfSlot = buildBinTable(2 ** bits);
    // Slots of +0 up to 1.0 (sign 0, exponent <= 127).
    const lastSlot = 0x3f800000 >>> TABLE_SHIFT;
    for (let slot = 0; slot <= lastSlot; slot++) {
      assert.notEqual(binOfSlot[slot], AMBIGUOUS_BIN, `${2 ** bits} bins, slot ${slot}`);
    }
  }
});

Deno.test("bin table of other counts has few ambiguous slots", () => {
  // Counts up to 64 get 4 mantissa bits to spare, so at most 1 slot in 32 is ambiguous.
  for (const bins of [3, 7, 33, 63]) {
    const binOfSlot = buildBinTable(bins);
    // Slots of [0.5, 1), the exponent with the most bin edges per slot.
    const first = 0x3f000000 >>> TABLE_SHIFT;
    const end = 0x3f800000 >>> TABLE_SHIFT;
    let ambiguous = 0;
    for (let slot = first; slot < end; slot++) if (binOfSlot[slot] === AMBIGUOUS_BIN) ambiguous++;
    assert.ok(ambiguous > 0, `${bins} bins: expected ambiguous slots at the edges`);
    assert.ok(
      ambiguous / (end - first) <= 1 / 32,
      `${bins} bins: ${ambiguous} of ${end - first} slots ambiguous`,
    );
  }
});

Deno.test("bin table covers every float32 pattern", () => {
  const binOfSlot = buildBinTable(64);
  assert.equal(binOfSlot.length, 2 ** (32 - TABLE_SHIFT));
  // The last slot contains negative NaNs only, which count as 0.
  assert.equal(binOfSlot[0xffffffff >>> TABLE_SHIFT], 0);
});
