import assert from "node:assert/strict";
import { summarizeConfig } from "../engine/config.ts";
import { testRunConfig } from "../engine/_config_test_support.ts";
import type { StoredRunConfig } from "../engine/run_store.ts";
import type { MethodOptions } from "../methods/options.ts";
import { comparisonIdentity } from "./load.ts";

const HARNESS = "ResNet-18 width 0.25, 32 px, 100 train images, 15 epochs, batch 128, lr 0.1";

function storedConfig(method: string, options: Partial<MethodOptions> = {}): StoredRunConfig {
  const config = testRunConfig(method, options);
  return {
    runId: `${method}-run`,
    config,
    datasetName: "data",
    datasetSource: "test",
    classNames: ["a", "b"],
    trainImages: 100,
    valImages: 10,
    configSummary: summarizeConfig(config, 100),
    versions: { deno: "2", tfjs: "4.22.0", backend: "cpu" },
    startedAt: "2026-12-05T00:00:00Z",
  };
}

Deno.test("comparisonIdentity shares the harness across methods", () => {
  for (const method of ["hard", "mixup", "randaugment+label_smoothing", "mi_adaptive"]) {
    assert.deepEqual(comparisonIdentity(storedConfig(method)), { method, configSummary: HARNESS }, method);
  }
});

Deno.test("comparisonIdentity names changed options", () => {
  assert.equal(
    comparisonIdentity(storedConfig("mixup", { mixupAlpha: 0.2 })).method,
    "mixup (mixup alpha 0.2)",
  );
  assert.equal(
    comparisonIdentity(storedConfig("mi_adaptive", { nmiBins: 16, confidence: "psnr" })).method,
    "mi_adaptive (NMI bins 16, confidence psnr)",
  );
  // Options the method does not read leave its name alone.
  assert.equal(comparisonIdentity(storedConfig("hard", { mixupAlpha: 0.2 })).method, "hard");
});

Deno.test("comparisonIdentity keeps stored names without options", () => {
  const stored = storedConfig("mixup");
  const legacy = {
    ...stored,
    config: { ...stored.config, methodOptions: undefined },
  } as unknown as StoredRunConfig;
  assert.deepEqual(comparisonIdentity(legacy), { method: "mixup", configSummary: stored.configSummary });
});
