import assert from "node:assert/strict";
import type { StoredFinal, StoredRun } from "../engine/run_store.ts";
import { describeConflicts, mergeRunFolders } from "./merge.ts";

/** Gives each copy other timings, as two real runs of one configuration have. */
let timingSeed = 0;

function storedRun(directory: string, runId: string, final: Partial<StoredFinal>, top1 = 0.5): StoredRun {
  return {
    directory,
    config: { runId } as StoredRun["config"],
    final: {
      status: "finished",
      finishedAt: "2026-01-01T00:00:00.000Z",
      metrics: {
        epoch: 2,
        trainLoss: 0.4,
        learningRate: 0,
        trainImagesPerSecond: 100 + ++timingSeed,
        epochSeconds: 10 + timingSeed,
        dataSeconds: 1 + timingSeed,
        valTop1: top1,
        valNll: 0.9,
        valEce: 0.05,
      },
      trainImagesPerSecond: 100 + timingSeed,
      ...final,
    },
  };
}

Deno.test("mergeRunFolders counts equal copies once", () => {
  const merged = mergeRunFolders([
    { folder: "a", runs: [storedRun("a/x", "x", {}), storedRun("a/y", "y", {})] },
    { folder: "b", runs: [storedRun("b/x", "x", {}), storedRun("b/z", "z", {})] },
  ]);
  assert.deepEqual(merged.runs.map((run) => run.directory), ["a/x", "a/y", "b/z"]);
  assert.deepEqual(merged.conflicts, []);
  assert.equal(describeConflicts(merged.conflicts), undefined);
});

Deno.test("mergeRunFolders prefers a finished copy", () => {
  const failed = storedRun("a/x", "x", { status: "failed", metrics: undefined, error: "Loss is NaN" });
  const merged = mergeRunFolders([
    { folder: "a", runs: [failed] },
    { folder: "b", runs: [storedRun("b/x", "x", {})] },
    { folder: "c", runs: [storedRun("c/x", "x", { status: "failed", metrics: undefined })] },
  ]);
  assert.deepEqual(merged.runs.map((run) => run.directory), ["b/x"]);
  assert.deepEqual(merged.conflicts, []);
});

Deno.test("mergeRunFolders reports different metrics", () => {
  const merged = mergeRunFolders([
    { folder: "a", runs: [storedRun("a/x", "x", {}, 0.5)] },
    { folder: "b", runs: [storedRun("b/x", "x", {}, 0.75), storedRun("b/y", "y", {})] },
  ]);
  assert.deepEqual(merged.runs.map((run) => run.directory), ["a/x", "b/y"]);
  assert.equal(merged.conflicts.length, 1);
  assert.equal(merged.conflicts[0].runId, "x");
  assert.equal(merged.conflicts[0].used.directory, "a/x");
  assert.equal(merged.conflicts[0].ignored.directory, "b/x");
  assert.equal(
    describeConflicts(merged.conflicts),
    "1 run id(s) appear in several folders with different final metrics. The table uses the first copy:\n" +
      "- x: a/x top-1 50.00%, ECE 5.00%, NLL 0.900 (used) vs b/x top-1 75.00%, ECE 5.00%, NLL 0.900",
  );
});
