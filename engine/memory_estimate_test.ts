import assert from "node:assert/strict";
import { describeMemoryRisk, estimateStepActivationBytes } from "./memory_estimate.ts";

const GB = 1e9;

Deno.test("estimateStepActivationBytes for known shapes", () => {
  const cifar = estimateStepActivationBytes({ side: 32, width: 0.25, batchSize: 128, stem: "cifar" });
  assert.ok(cifar > 0.4 * GB, `${cifar}`);
  assert.ok(cifar < 0.45 * GB, `${cifar}`);
  const imagenet = estimateStepActivationBytes({ side: 224, width: 1, batchSize: 128, stem: "imagenet" });
  assert.ok(imagenet > 6.5 * GB, `${imagenet}`);
  assert.ok(imagenet < 7.5 * GB, `${imagenet}`);
  const half = estimateStepActivationBytes({ side: 224, width: 1, batchSize: 64, stem: "imagenet" });
  assert.equal(half * 2, imagenet);
});

Deno.test("describeMemoryRisk warns only past the memory", () => {
  const huge = { side: 4096, width: 0.125, batchSize: 12, stem: "imagenet" as const };
  const warning = describeMemoryRisk(huge, 24 * 2 ** 30);
  assert.match(
    warning ?? "",
    /^warning: a training step at side 4096, width 0\.125 and batch 12 needs about/,
  );
  assert.match(
    warning ?? "",
    /more than this machine's 24\.0 GiB\. .*lower --side, --batch-size or --width\.$/,
  );
  assert.equal(describeMemoryRisk({ ...huge, side: 32, stem: "cifar" }, 24 * 2 ** 30), undefined);
  assert.equal(describeMemoryRisk(huge, undefined), undefined);
});
