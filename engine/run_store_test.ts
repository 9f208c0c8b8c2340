import assert from "node:assert/strict";
import { join } from "node:path";
import { type CheckpointManifest, saveCheckpoint } from "./checkpoint.ts";
import type { EpochMetrics } from "./epoch_tracker.ts";
import {
  describeStoredBackend,
  readRuns,
  resumeRun,
  runDirectory,
  startRun,
  type StoredRunConfig,
} from "./run_store.ts";

Deno.test("runDirectory rejects ids outside the root", () => {
  for (const runId of ["../escape", "..", "a/../../b", "a/b", ".hidden", "", "a\\b", "/etc"]) {
    assert.throws(() => runDirectory("results", runId), /Invalid run id/, JSON.stringify(runId));
  }
  assert.equal(runDirectory("results", "hard__ds__seed0__0123456789"), "results/hard__ds__seed0__0123456789");
  assert.equal(runDirectory("../shared/results", "a.b-c_d"), "../shared/results/a.b-c_d");
});

function metricsOf(epoch: number): EpochMetrics {
  return {
    epoch,
    trainLoss: 1,
    learningRate: 0.1,
    trainImagesPerSecond: 1,
    epochSeconds: 1,
    valTop1: 0.5,
    valNll: 1,
    valEce: 0.1,
  };
}

const STORED = {
  runId: "hard__tiny__seed0__0123456789",
  datasetName: "tiny",
  startedAt: "2026-01-02T00:00:00.000Z",
} as unknown as StoredRunConfig;

Deno.test("resumeRun drops the epochs after the checkpoint", async () => {
  const folder = await Deno.makeTempDir({ prefix: "mials-store-" });
  try {
    await startRun(folder, STORED);
    const epochLines = [1, 2, 3].map((epoch) => JSON.stringify(metricsOf(epoch))).join("\n");
    await Deno.writeTextFile(join(folder, "epochs.jsonl"), epochLines + '\n{"epoch":4,"trai');
    const sampleLines = [1, 2, 3].map((epoch) => JSON.stringify({ epoch, label: 0 }) + "\n").join("");
    await Deno.writeTextFile(join(folder, "samples.jsonl"), sampleLines + '{"epoch":');
    await Deno.writeTextFile(join(folder, "final.json"), JSON.stringify({ status: "failed", error: "NaN" }));
    await Deno.writeTextFile(join(folder, "epochs.jsonl.tmp-1-abcd"), "partial");
    await saveCheckpoint(folder, {
      identity: {} as CheckpointManifest["identity"],
      completedEpochs: 2,
      history: [metricsOf(1), metricsOf(2)],
      arrays: [],
    });
    const manifest = JSON.parse(await Deno.readTextFile(join(folder, "checkpoint.json")));

    await resumeRun(folder, { ...STORED, startedAt: "2026-01-03T00:00:00.000Z" }, manifest);

    const epochs = (await Deno.readTextFile(join(folder, "epochs.jsonl"))).trim().split("\n").map((line) =>
      JSON.parse(line).epoch
    );
    assert.deepEqual(epochs, [1, 2]);
    const samples = (await Deno.readTextFile(join(folder, "samples.jsonl"))).trim().split("\n").map((line) =>
      JSON.parse(line).epoch
    );
    assert.deepEqual(samples, [1, 2]);
    const names = [...Deno.readDirSync(folder)].map((entry) => entry.name).sort();
    assert.deepEqual(names, [
      "checkpoint-epoch0002.bin",
      "checkpoint.json",
      "config.json",
      "epochs.jsonl",
      "samples.jsonl",
    ]);
    const config = JSON.parse(await Deno.readTextFile(join(folder, "config.json")));
    assert.equal(config.startedAt, "2026-01-02T00:00:00.000Z");
    assert.deepEqual(config.resumedAt, ["2026-01-03T00:00:00.000Z"]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("startRun clears an earlier attempt", async () => {
  const root = await Deno.makeTempDir({ prefix: "mials-store-" });
  try {
    const folder = join(root, "run");
    await startRun(folder, STORED);
    await Deno.writeTextFile(join(folder, "epochs.jsonl"), "{}\n");
    await Deno.writeTextFile(join(folder, "final.json"), JSON.stringify({ status: "failed" }));
    await saveCheckpoint(folder, {
      identity: {} as CheckpointManifest["identity"],
      completedEpochs: 1,
      history: [metricsOf(1)],
      arrays: [],
    });
    await startRun(folder, STORED);
    assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name), ["config.json"]);
    assert.deepEqual(await readRuns(root), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readRuns leaves out corrupt run folders", async () => {
  const root = await Deno.makeTempDir({ prefix: "mials-runs-" });
  try {
    const bad = join(root, "bad_run");
    await Deno.mkdir(bad);
    await Deno.writeTextFile(join(bad, "config.json"), '{"runId": ');
    await Deno.writeTextFile(join(bad, "final.json"), "{}");
    const unfinished = join(root, "unfinished_run");
    await Deno.mkdir(unfinished);
    await Deno.writeTextFile(join(unfinished, "config.json"), "{}");
    const skipped: string[] = [];
    assert.deepEqual(await readRuns(root, (line) => skipped.push(line)), []);
    assert.equal(skipped.length, 2);
    assert.match(skipped.join("\n"), /bad_run.*not valid JSON/);
    assert.match(skipped.join("\n"), /unfinished_run: unfinished/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("describeStoredBackend names the oneDNN setting", () => {
  const versions = { deno: "2.9.6", tfjs: "4.22.0", backend: "tensorflow" };
  assert.equal(describeStoredBackend(versions), "tensorflow", "recorded before the setting");
  assert.equal(describeStoredBackend({ ...versions, oneDnn: true }), "tensorflow (oneDNN)");
  assert.equal(describeStoredBackend({ ...versions, oneDnn: false }), "tensorflow (no oneDNN)");
  assert.equal(describeStoredBackend({ ...versions, backend: "wasm" }), "wasm");
});
