import assert from "node:assert/strict";
import { expectedSums, type NativeSums, nativeSumsProblem } from "./_native_check.ts";

Deno.test("expectedSums of a hand-counted pair", () => {
  // 4 pixels, 2 bins, channel 0 cells (0,0), (0,0), (1,1), (1,0). With no more cells
  // than pixels, the joint sum comes from the cells. The other channels are all (0,0).
  const clean = new Float32Array([0.1, 0, 0, 0.2, 0, 0, 0.7, 0, 0, 0.9, 0, 0]);
  const degraded = new Float32Array([0.3, 0, 0, 0.4, 0, 0, 0.6, 0, 0, 0.2, 0, 0]);
  const countLog2Count = new Float64Array([0, 0, 2, 3 * Math.log2(3), 8]);
  const increase = countLog2Count.slice(1).map((value, count) => value - countLog2Count[count]);
  const sums = expectedSums(clean, degraded, 2, countLog2Count, increase);
  // Joint counts 2, 1, 1 give 2 log2 2 = 2. Clean bins 2 and 2 give 2 + 2, degraded bins 3 and 1 give 3 log2 3.
  assert.deepEqual([...sums.subarray(0, 5)], [2, 4, 3 * Math.log2(3), 2, 2]);
  // A constant channel: 4 pixels in one cell, one bin of each marginal.
  assert.deepEqual([...sums.subarray(5, 10)], [8, 8, 8, 1, 1]);
});

Deno.test("nativeSumsProblem reports a float that differs", () => {
  const exact: NativeSums = (clean, degraded, _pixels, bins, countLog2Count, increase, _scratch, out) => {
    out.set(expectedSums(clean, degraded, bins, countLog2Count, increase));
    return 0;
  };
  assert.equal(nativeSumsProblem(exact, () => 16), undefined);
  const offByOneUlp: NativeSums = (...args) => {
    exact(...args);
    args[7][2] += args[7][2] * Number.EPSILON;
    return 0;
  };
  assert.match(
    nativeSumsProblem(offByOneUlp, () => 16)!,
    /^its sum 2 for 1024 pixels with 64 bins is .*, not /,
  );
  assert.match(nativeSumsProblem(() => -1, () => 16)!, /^it rejected 1024 pixels with 64 bins$/);
});
