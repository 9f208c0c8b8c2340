import assert from "node:assert/strict";
import { nmiKernelUnavailableReason } from "../nmi/nmi.ts";
import { describeNmiKernel } from "./bench.ts";

Deno.test("describeNmiKernel names the pass of the shape", () => {
  const reason = nmiKernelUnavailableReason("native");
  const note = reason === undefined ? "" : ` (native pass unavailable: ${reason})`;
  assert.equal(
    describeNmiKernel(64, 32),
    reason === undefined ? "nmi kernel: native" : `nmi kernel: wasm${note}`,
  );
  // The native pass takes at most 256 bins and fewer than 65,536 pixels.
  assert.equal(describeNmiKernel(300, 32), `nmi kernel: wasm${note}`);
  assert.equal(describeNmiKernel(64, 256), `nmi kernel: wasm${note}`);
});
