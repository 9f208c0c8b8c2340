/**
 * One ResNet-18 training step on the webgpu backend against the same step on
 * the cpu backend, run by gpu_step_check.ts in a child process.
 *
 * The test runs wherever Deno finds a WebGPU adapter, a CPU renderer included:
 * on Debian or Ubuntu, `apt-get install mesa-vulkan-drivers` gives Mesa's
 * lavapipe. Without an adapter it is ignored, and the module prints why. Both
 * the probe and the step run in child processes, because a WebGPU adapter
 * opened in the test process can make a later import of tfjs-node's binding
 * end the whole test run.
 */
import assert from "node:assert/strict";
import { probeWebGpuInSubprocess } from "./gpu_probe.ts";
import type { StepCheckReport } from "./gpu_step_check.ts";

const probe = await probeWebGpuInSubprocess();
if (probe.kind === "none") {
  console.log(
    `webgpu_test.ts: ignoring the webgpu training step: ${probe.reason}. ` +
      "Install a Vulkan driver (apt-get install mesa-vulkan-drivers) to run it.",
  );
}

/** Runs gpu_step_check.ts against webgpu and checks its report. */
async function assertStepMatchesCpu(extraArgs: string[], variableCount: number): Promise<void> {
  const script = new URL("./gpu_step_check.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, "--backend", "webgpu", ...extraArgs],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.notEqual(output.code, 2, `gpu_step_check.ts could not run the step:\n${stderr}`);

  const report = JSON.parse(stdout.split("\n").at(-1)!) as StepCheckReport;
  assert.equal(report.backend, "webgpu");
  assert.ok(report.device !== null, "the webgpu backend names its adapter");
  assert.equal(report.comparison.variables.length, variableCount);
  assert.deepEqual(report.violations, []);
  assert.equal(output.code, 0, stderr);
}

// ResNet-18 has 62 trainable variables with either stem: 20 conv and batch-norm
// layers with 3 each (kernel, gamma, beta) and the dense layer's 2.
const RESNET18_VARIABLES = 62;

Deno.test({
  name: "webgpu training step matches cpu",
  ignore: probe.kind === "none",
  fn: () => assertStepMatchesCpu([], RESNET18_VARIABLES),
});

Deno.test({
  name: "webgpu ImageNet stem step matches cpu",
  ignore: probe.kind === "none",
  // The 7x7 stride-2 conv and the max-pool with its gradient, at the smallest side the stem allows.
  fn: () => assertStepMatchesCpu(["--side", "32", "--stem", "imagenet"], RESNET18_VARIABLES),
});

Deno.test({
  name: "webgpu distortion and NMI stages match the CPU kernels",
  ignore: probe.kind === "none",
  async fn() {
    const script = new URL("./gpu_stage_check.ts", import.meta.url).pathname;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", script, "--backend", "webgpu"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.notEqual(output.code, 2, `gpu_stage_check.ts could not run:\n${stderr}`);
    const report = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
    assert.deepEqual(report.violations, []);
    assert.equal(output.code, 0, stderr);
  },
});
