import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { checkStages, STAGE_TOLERANCE } from "./gpu_stage_check.ts";

Deno.test("the distortion and NMI stages on cpu tensors match the CPU kernels", async () => {
  await tf.setBackend("cpu");
  const report = await checkStages(16, "cpu");
  assert.equal(report.images, 16);
  assert.deepEqual(report.violations, []);
  assert.ok(report.distortionDifference <= STAGE_TOLERANCE);
  assert.ok(report.nmiDifference <= STAGE_TOLERANCE);
});
