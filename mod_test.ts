import assert from "node:assert/strict";
import { listMethods, normalizedMutualInformation, Random } from "./mod.ts";

Deno.test("mod exports the NMI", () => {
  const random = new Random(0);
  const clean = Float32Array.from({ length: 16 * 16 * 3 }, () => random.uniform());
  assert.equal(normalizedMutualInformation(clean, clean), 1);
  assert.ok(listMethods().includes("mi_adaptive"));
});
