/**
 * End-to-end: runs that survive interruption. `bench` killed with SIGKILL and
 * rerun, a NaN loss in the middle of a matrix, and a full disk.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runBench } from "../engine/bench.ts";
import { type BenchPlan, parseBenchOptions } from "../engine/bench_options.ts";
import { createMethod, registerMethod } from "../methods/registry.ts";
import {
  NO_ROBUSTNESS,
  readEpochs,
  runTask,
  taskCommand,
  withoutTimings,
  writeDataset,
} from "./_e2e_support.ts";

async function withWorkFolder(test: (work: string) => Promise<void>): Promise<void> {
  const work = await Deno.makeTempDir({ prefix: "mials-resume-e2e-" });
  try {
    await test(work);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

function tinyBenchArgs(work: string): string[] {
  return [
    "--dataset",
    join(work, "dataset"),
    "--width",
    "0.125",
    "--side",
    "16",
    ...NO_ROBUSTNESS,
    "--cache-dir",
    join(work, "cache"),
  ];
}

function onlyRunFolder(results: string): string {
  const runs = [...Deno.readDirSync(results)].map((entry) => entry.name);
  assert.equal(runs.length, 1, runs.join(", "));
  return join(results, runs[0]);
}

function readJsonFile(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path));
}

function listFiles(folder: string): string[] {
  return [...Deno.readDirSync(folder)].map((entry) => entry.name).sort();
}

/** Returns the highest 1-based epoch in a run's `samples.jsonl`, or 0 when it has none yet. */
function latestSampleEpoch(results: string): number {
  let latest = 0;
  for (const run of Deno.readDirSync(results)) {
    let text = "";
    try {
      text = Deno.readTextFileSync(join(results, run.name, "samples.jsonl"));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    for (const line of text.split("\n").filter((line) => line !== "")) {
      latest = Math.max(latest, JSON.parse(line).epoch);
    }
  }
  return latest;
}

/** Polls until `samples.jsonl` has a line of `epoch`, which `bench` writes at that epoch's first step. */
async function waitForEpochStart(results: string, epoch: number, child: Deno.ChildProcess): Promise<void> {
  let exited = false;
  child.status.then(() => (exited = true));
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`bench exited before epoch ${epoch} began; make the run longer`);
    try {
      if (latestSampleEpoch(results) >= epoch) return;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`bench did not reach epoch ${epoch} within 300 s`);
}

Deno.test({
  name: "bench resumes after SIGKILL",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withWorkFolder(async (work) => {
      await writeDataset(join(work, "dataset"));
      // 12 training images in batches of 2: 6 steps per epoch.
      const args = [...tinyBenchArgs(work), "--method", "mi_adaptive", "--epochs", "3", "--batch-size", "2"];
      const reference = join(work, "reference");
      const uninterrupted = await runTask("tasks/bench.ts", [...args, "--results", reference]);
      assert.equal(uninterrupted.code, 0, uninterrupted.stderr);

      const interrupted = join(work, "interrupted");
      const child = taskCommand("tasks/bench.ts", [...args, "--results", interrupted], false).spawn();
      await waitForEpochStart(interrupted, 2, child);
      child.kill("SIGKILL");
      assert.equal((await child.status).signal, "SIGKILL");
      const runFolder = onlyRunFolder(interrupted);
      const killedAfter = readJsonFile(join(runFolder, "checkpoint.json")).completedEpochs as number;
      assert.ok(killedAfter >= 1, `killed after ${killedAfter} epochs`);
      assert.ok(killedAfter < 3, `killed after ${killedAfter} epochs, too late to resume`);
      assert.equal(latestSampleEpoch(interrupted), killedAfter + 1, "killed in the middle of an epoch");
      assert.ok(!listFiles(runFolder).includes("final.json"));

      const resumed = await runTask("tasks/bench.ts", [...args, "--results", interrupted]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, new RegExp(`resuming after epoch ${killedAfter}/3 from its checkpoint`));
      assert.match(resumed.stderr, /1 finished, 0 skipped, 0 failed/);

      const referenceFolder = onlyRunFolder(reference);
      assert.equal(runFolder.split("/").at(-1), referenceFolder.split("/").at(-1));
      assert.deepEqual(
        readEpochs(runFolder).map(withoutTimings),
        readEpochs(referenceFolder).map(withoutTimings),
      );
      const final = readJsonFile(join(runFolder, "final.json"));
      const referenceFinal = readJsonFile(join(referenceFolder, "final.json"));
      assert.equal(final.status, "finished");
      assert.deepEqual(
        withoutTimings(final.metrics as Record<string, unknown>),
        withoutTimings(referenceFinal.metrics as Record<string, unknown>),
      );
      assert.equal(
        Deno.readTextFileSync(join(runFolder, "samples.jsonl")),
        Deno.readTextFileSync(join(referenceFolder, "samples.jsonl")),
      );
      assert.deepEqual(listFiles(runFolder), listFiles(referenceFolder));
      assert.equal(readJsonFile(join(runFolder, "config.json")).startedAt !== undefined, true);
      assert.equal((readJsonFile(join(runFolder, "config.json")).resumedAt as string[]).length, 1);
    }),
});

/** `hard`, with NaN targets from the first step of the second epoch of 3 steps on. */
registerMethod("nan_in_epoch_two", (options) => {
  const hard = createMethod("hard", options);
  let steps = 0;
  return {
    name: "nan_in_epoch_two",
    augment: (batch, random) => hard.augment(batch, random),
    targets(batch, record) {
      const targets = hard.targets(batch, record);
      if (++steps > 3) targets.fill(NaN);
      return targets;
    },
  };
});

Deno.test({
  name: "bench fails a NaN run and goes on",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withWorkFolder(async (work) => {
      await writeDataset(join(work, "dataset"));
      const results = join(work, "results");
      // 12 training images in batches of 4: 3 steps per epoch.
      const plan = parseBenchOptions([
        ...tinyBenchArgs(work),
        "--method",
        "nan_in_epoch_two,hard",
        "--epochs",
        "2",
        "--batch-size",
        "4",
        "--results",
        results,
      ]) as BenchPlan;
      const logs: string[] = [];
      const outcomes = await runBench(plan, { log: (line) => logs.push(line), progress: () => {} });

      assert.deepEqual(outcomes.map((outcome) => outcome.status), ["failed", "finished"]);
      const failedFolder = join(results, outcomes[0].runId);
      const final = readJsonFile(join(failedFolder, "final.json"));
      assert.equal(final.status, "failed");
      assert.match(
        final.error as string,
        /^Training loss is NaN at epoch 2, step 1 of 3, so the run stopped\./,
      );
      assert.match(final.error as string, /The checkpoint after epoch 1 is kept in /);
      assert.equal(final.completedEpochs, 1);
      assert.ok(logs.some((line) => line.includes(`${outcomes[0].runId}: failed: Training loss is NaN`)));
      const checkpoint = readJsonFile(join(failedFolder, "checkpoint.json"));
      assert.equal(checkpoint.completedEpochs, 1);
      assert.ok(listFiles(failedFolder).includes("checkpoint-epoch0001.bin"));
      assert.equal(readEpochs(failedFolder).length, 1);
      const finished = readJsonFile(join(results, outcomes[1].runId, "final.json"));
      assert.equal(finished.status, "finished");
    }),
});

/** Mounts a tmpfs of `size` on a new temporary folder, or returns undefined where mounting is not allowed. */
async function mountTmpfs(size: string): Promise<string | undefined> {
  const folder = await Deno.makeTempDir({ prefix: "mials-full-disk-" });
  try {
    const mount = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", folder],
      stdout: "null",
      stderr: "null",
    }).output();
    if (mount.success) return folder;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.remove(folder);
  return undefined;
}

async function unmount(folder: string): Promise<void> {
  const result = await new Deno.Command("umount", { args: [folder] }).output();
  assert.ok(result.success, `umount ${folder} failed: ${new TextDecoder().decode(result.stderr)}`);
  await Deno.remove(folder);
}

const probe = await mountTmpfs("64k");
if (probe !== undefined) await unmount(probe);

/**
 * Registers a test that runs `body` on a tmpfs of `size` inside a work folder with the
 * tiny dataset written, and unmounts it afterwards. Mounting needs root or
 * CAP_SYS_ADMIN, so elsewhere the test is ignored.
 */
function tmpfsTest(name: string, size: string, body: (work: string, disk: string) => Promise<void>): void {
  Deno.test({
    name,
    ignore: probe === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () =>
      withWorkFolder(async (work) => {
        await writeDataset(join(work, "dataset"));
        const disk = await mountTmpfs(size);
        assert.ok(disk !== undefined);
        try {
          await body(work, disk);
        } finally {
          await unmount(disk);
        }
      }),
  });
}

// Elsewhere, checkpoint_test.ts and atomic_write_test.ts inject the full-disk failure.
// The size leaves room for config.json and the logs, not for a checkpoint of about 1.4 MB.
tmpfsTest("bench fails cleanly on a full disk", "256k", async (work, disk) => {
  const results = join(disk, "results");
  const args = [...tinyBenchArgs(work), "--method", "hard", "--seeds", "0,1", "--epochs", "2"];
  const result = await runTask("tasks/bench.ts", [...args, "--batch-size", "4", "--results", results]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /0 finished, 0 skipped, 2 failed/);
  for (const run of Deno.readDirSync(results)) {
    const folder = join(results, run.name);
    const final = readJsonFile(join(folder, "final.json"));
    assert.equal(final.status, "failed");
    assert.match(
      final.error as string,
      /^Writing .*checkpoint-epoch0001\.bin failed: No space left on device \(os error 28\)\. Check free disk space/,
    );
    assert.deepEqual(listFiles(folder), ["config.json", "epochs.jsonl", "final.json", "samples.jsonl"]);
    assert.equal(readEpochs(folder).length, 1);
  }
});

tmpfsTest("bench skips finished runs on a read-only folder", "16m", async (work, disk) => {
  const results = join(disk, "results");
  const args = [...tinyBenchArgs(work), "--method", "hard", "--epochs", "1", "--results", results];
  const first = await runTask("tasks/bench.ts", args);
  assert.equal(first.code, 0, first.stderr);
  const remount = await new Deno.Command("mount", { args: ["-o", "remount,ro", disk] }).output();
  assert.ok(remount.success, new TextDecoder().decode(remount.stderr));

  const again = await runTask("tasks/bench.ts", args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /finished earlier, skipped without updating it: locking its folder failed/);
  assert.match(again.stderr, /0 finished, 1 skipped, 0 failed/);
});
