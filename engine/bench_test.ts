import assert from "node:assert/strict";
import { nmiKernelUnavailableReason } from "../nmi/nmi.ts";
import { describeNmiKernel } from "./bench.ts";

Deno.test("describeNmiKernel names the pass of the shape", () => {
  const reason = nmiKernelUnavailableReason("native");
  if (reason !== undefined) {
    assert.equal(describeNmiKernel(64, 32), `nmi kernel: wasm (native pass not used: ${reason})`);
    return;
  }
  assert.equal(describeNmiKernel(64, 32), "nmi kernel: native");
  // The native pass takes at most 256 bins and fewer than 65,536 pixels.
  assert.equal(
    describeNmiKernel(300, 32),
    "nmi kernel: wasm (native pass not used: it does not take 32 x 32 images with 300 bins)",
  );
  assert.equal(
    describeNmiKernel(64, 256),
    "nmi kernel: wasm (native pass not used: it does not take 256 x 256 images with 64 bins)",
  );
});
