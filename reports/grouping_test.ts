import assert from "node:assert/strict";
import { blocksOfGroups, groupByMethod, methodRank } from "./grouping.ts";

const run = (method: string, dataset: string, configSummary: string, seed: number) => ({
  method,
  dataset,
  configSummary,
  seed,
});

Deno.test("methodRank puts unlisted methods last", () => {
  const rank = methodRank(["hard", "mixup"]);
  assert.equal(rank("hard"), 0);
  assert.equal(rank("mixup"), 1);
  assert.equal(rank("cutmix"), 2);
});

Deno.test("groupByMethod orders groups", () => {
  const runs = [
    run("zeta", "cifar10", "12 epochs", 0),
    run("mixup", "cifar10", "12 epochs", 0),
    run("hard", "cifar10", "12 epochs", 1),
    run("alpha", "cifar10", "12 epochs", 0),
    run("hard", "cifar10", "12 epochs", 0),
    run("hard", "a-dataset", "12 epochs", 0),
  ];
  const groups = groupByMethod(runs, ["hard", "mixup"]);
  assert.deepEqual(
    groups.map((group) => `${group.dataset}/${group.method}`),
    ["a-dataset/hard", "cifar10/hard", "cifar10/mixup", "cifar10/alpha", "cifar10/zeta"],
  );
  assert.deepEqual(groups[1].runs.map((entry) => entry.seed), [1, 0]);
});

Deno.test("blocksOfGroups splits by dataset and configuration", () => {
  const runs = [
    run("hard", "cifar10", "2 epochs", 0),
    run("mixup", "cifar10", "2 epochs", 0),
    run("hard", "cifar10", "12 epochs", 0),
  ];
  const blocks = blocksOfGroups(groupByMethod(runs, ["hard"]));
  assert.equal(blocks.length, 2);
  assert.deepEqual(blocks[0].map((group) => `${group.configSummary}/${group.method}`), ["12 epochs/hard"]);
  assert.deepEqual(blocks[1].map((group) => `${group.configSummary}/${group.method}`), [
    "2 epochs/hard",
    "2 epochs/mixup",
  ]);
});
