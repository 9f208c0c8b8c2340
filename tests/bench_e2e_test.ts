/**
 * End-to-end: `bench` and `report` as subprocesses on a generated image folder.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { writeSolidImage } from "../datasets/_test_images.ts";
import { describeNmiKernel } from "../engine/bench.ts";
import { NO_ROBUSTNESS, readEpochs, runTask, withoutTimings, writeDataset } from "./_e2e_support.ts";

Deno.test({
  name: "bench and report run end to end",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "mials-e2e-" });
    try {
      const dataset = join(work, "dataset");
      const results = join(work, "results");
      await writeDataset(dataset);
      const benchArgs = [
        "--dataset",
        dataset,
        "--method",
        "hard,distort_hard,mi_adaptive",
        "--epochs",
        "2",
        "--seeds",
        "0,1",
        "--width",
        "0.125",
        "--side",
        "16",
        "--batch-size",
        "11",
        ...NO_ROBUSTNESS,
        "--results",
        results,
        "--cache-dir",
        join(work, "cache"),
      ];
      const first = await runTask("tasks/bench.ts", benchArgs);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /backend: (tensorflow-gpu|webgpu|tensorflow|wasm|cpu)/);
      // The bench process loads the same library as this one, for 16 x 16 images with 64 bins.
      assert.ok(first.stderr.includes(describeNmiKernel(64, 16)), first.stderr);
      assert.match(first.stderr, /6 finished, 0 skipped, 0 failed/);

      const runs = [...Deno.readDirSync(results)].map((entry) => entry.name).sort();
      assert.equal(runs.length, 6);
      const miRunName = runs.find((name) => name.startsWith("mi_adaptive__dataset__seed1"))!;
      const miRun = join(results, miRunName);
      const config = JSON.parse(Deno.readTextFileSync(join(miRun, "config.json")));
      assert.equal(config.trainImages, 12);
      assert.equal(config.config.seed, 1);
      assert.ok(["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"].includes(config.versions.backend));
      if (config.versions.backend === "tensorflow") {
        assert.equal(typeof config.versions.oneDnn, "boolean", "versions.oneDnn");
        assert.match(first.stderr, /backend: tensorflow, oneDNN (on|off) \(/);
      } else {
        assert.equal(config.versions.oneDnn, undefined, "versions.oneDnn on another backend");
      }
      const epochs = Deno.readTextFileSync(join(miRun, "epochs.jsonl")).trim().split("\n").map((line) =>
        JSON.parse(line)
      );
      assert.equal(epochs.length, 2);
      assert.ok((epochs[1].meanEpsilon as number) > 0);
      assert.ok((epochs[1].meanEpsilon as number) <= 0.9);
      const samples = Deno.readTextFileSync(join(miRun, "samples.jsonl")).trim().split("\n");
      // 12 training images in batches of 11: the last batch of each epoch has one image.
      assert.equal(samples.length, 2 * 11);
      const final = JSON.parse(Deno.readTextFileSync(join(miRun, "final.json")));
      assert.equal(final.status, "finished");
      assert.ok(final.metrics.valTop1 >= 0);
      assert.ok(final.metrics.valTop1 <= 1);

      const second = await runTask("tasks/bench.ts", benchArgs);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stderr, /0 finished, 6 skipped, 0 failed/);

      const rerunResults = join(work, "rerun");
      const rerunArgs = [
        ...benchArgs.slice(0, -4),
        "--results",
        rerunResults,
        "--cache-dir",
        join(work, "cache"),
      ];
      const rerun = await runTask("tasks/bench.ts", [
        ...rerunArgs,
        "--method",
        "mi_adaptive",
        "--seeds",
        "1",
      ]);
      assert.equal(rerun.code, 0, rerun.stderr);
      const rerunEpochs = readEpochs(join(rerunResults, miRunName));
      assert.deepEqual(rerunEpochs.map(withoutTimings), epochs.map(withoutTimings));

      const tablePath = join(work, "table.md");
      const report = await runTask("tasks/report.ts", ["--results", results, "--out", tablePath]);
      assert.equal(report.code, 0, report.stderr);
      const resultsTable = report.stdout.split("\n## ")[0];
      const rows = resultsTable.split("\n").filter((line) =>
        line.startsWith("| ") && !line.startsWith("| method")
      );
      const methods = rows.filter((row) => !row.startsWith("| ---")).map((row) => row.split("|")[1].trim());
      assert.deepEqual(methods, ["hard", "distort_hard", "mi_adaptive"]);
      assert.ok(rows.every((row) => row.includes("| 2 |") || row.startsWith("| ---")));
      assert.equal(Deno.readTextFileSync(tablePath).trim(), report.stdout.trim());
      assert.match(report.stdout, /^## Differences from hard\n/m);
      assert.match(report.stdout, /^\| mi_adaptive \| 2 \| 2 \| [+-]?\d+\.\d\d \(/m);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "bench runs compositions end to end",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "mials-e2e-" });
    try {
      const dataset = join(work, "dataset");
      const results = join(work, "results");
      await writeDataset(dataset);
      const methods = "randaugment+mi_adaptive,mixup+mi_adaptive,cutmix,label_smoothing";
      const result = await runTask("tasks/bench.ts", [
        "--dataset",
        dataset,
        "--method",
        methods,
        "--epochs",
        "1",
        "--width",
        "0.125",
        "--side",
        "16",
        "--batch-size",
        "6",
        ...NO_ROBUSTNESS,
        "--results",
        results,
        "--cache-dir",
        join(work, "cache"),
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /4 finished, 0 skipped, 0 failed/);
      const runs = [...Deno.readDirSync(results)].map((entry) => entry.name);
      assert.ok(runs.some((name) => name.startsWith("randaugment-plus-mi_adaptive__")), runs.join(", "));
      const mixRun = join(results, runs.find((name) => name.startsWith("mixup-plus-mi_adaptive__"))!);
      const sample = JSON.parse(Deno.readTextFileSync(join(mixRun, "samples.jsonl")).split("\n")[0]);
      assert.equal(typeof sample.lambda, "number");
      assert.equal(typeof sample.partner, "number");
      assert.equal(typeof sample.epsilon, "number");

      const report = await runTask("tasks/report.ts", ["--results", results]);
      assert.equal(report.code, 0, report.stderr);
      for (const method of methods.split(",")) {
        assert.match(report.stdout, new RegExp(`\\| ${method.replace("+", "\\+")} \\|`));
      }
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "bench rejects bad options with a message",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cases: [string[], RegExp][] = [
      [["--method", "mixupp"], /Unknown method "mixupp"/],
      [["--epochs", "0"], /Invalid --epochs "0": expected a positive integer/],
      [["--batch-size", "2.5"], /Invalid --batch-size/],
      [["--backend", "cuda"], /Unknown backend "cuda"/],
      [
        ["--corruptions", "fogg"],
        /Unknown corruption "fogg" in --corruptions\. Use all, test, held_out, none/,
      ],
      [["--distortion-levels", "2"], /Invalid --distortion-levels "2"/],
      [["--distortion-probability", "2"], /Invalid distortion probability 2/],
      [["--dataset", "/nonexistent/folder"], /\/nonexistent\/folder/],
      [["--width", "0.001", "--epochs", "1"], /Width 0.001/],
      [["--bogus"], /Unknown option '--bogus'/],
      [
        ["--epochs", "-1"],
        /Missing value for --epochs\. A value that starts with "-" must be written --epochs=VALUE/,
      ],
      [["--epochs=-1"], /Invalid --epochs "-1": expected a positive integer/],
      [["--seeds", "4294967296"], /Invalid --seeds "4294967296"/],
    ];
    for (const [args, message] of cases) {
      const result = await runTask("tasks/bench.ts", [...args, "--results", "/nonexistent/never-written"]);
      assert.notEqual(result.code, 0, args.join(" "));
      assert.match(result.stderr, message, args.join(" "));
      assert.doesNotMatch(result.stderr, /^\s+at /m, `stack trace for ${args.join(" ")}`);
    }
  },
});

Deno.test({
  name: "report fails on a missing folder",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const result = await runTask("tasks/report.ts", ["--results", "/nonexistent/results"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Results folder \/nonexistent\/results does not exist/);
  },
});

Deno.test({
  name: "bench evaluates robustness from checkpoints",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "mials-robustness-e2e-" });
    try {
      const dataset = join(work, "dataset");
      const results = join(work, "results");
      await writeDataset(dataset);
      const args = [
        "--dataset",
        dataset,
        "--method",
        "hard",
        "--epochs",
        "1",
        "--width",
        "0.125",
        "--side",
        "16",
        "--batch-size",
        "6",
        "--results",
        results,
        "--cache-dir",
        join(work, "cache"),
        "--distortion-levels",
        "0.5",
      ];
      const first = await runTask("tasks/bench.ts", [...args, "--corruptions", "gaussian_noise,saturate"]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /evaluating robustness on 14 degraded copies of 6 val images/);
      const [runName] = [...Deno.readDirSync(results)].map((entry) => entry.name);
      const robustnessPath = join(results, runName, "robustness.json");
      const stored = JSON.parse(Deno.readTextFileSync(robustnessPath));
      // 2 corruptions x 5 severities, then 4 distortions at one level.
      assert.equal(stored.entries.length, 14);
      assert.deepEqual(stored.entries.map((entry: { set?: string }) => entry.set ?? "-").slice(4, 6), [
        "test",
        "held_out",
      ]);
      assert.equal(typeof stored.meanCorruptionTop1, "number");
      assert.equal(typeof stored.meanHeldOutTop1, "number");

      const again = await runTask("tasks/bench.ts", [...args, "--corruptions", "gaussian_noise,saturate"]);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /evaluating robustness/);

      // A run folder that another running process has locked is left alone.
      const lockPath = join(results, runName, "bench.lock");
      assert.equal(existsSync(lockPath), false, "a finished bench leaves no lock");
      const holder = { pid: Deno.pid, hostname: hostname(), startedAt: "2026-12-05T00:00:00.000Z" };
      Deno.writeTextFileSync(lockPath, JSON.stringify(holder));
      const locked = await runTask("tasks/bench.ts", [...args, "--corruptions", "fog", "--force"]);
      assert.equal(locked.code, 0, locked.stderr);
      assert.match(locked.stderr, new RegExp(`skipped, in use by process ${Deno.pid} on `));
      assert.match(locked.stderr, /0 finished, 0 skipped, 1 in use by another bench, 0 failed/);
      assert.equal(existsSync(robustnessPath), true, "the held run keeps its results");
      assert.equal(JSON.parse(Deno.readTextFileSync(lockPath)).pid, Deno.pid, "the lock is not removed");
      Deno.removeSync(lockPath);

      const wider = await runTask("tasks/bench.ts", [...args, "--corruptions", "fog"]);
      assert.equal(wider.code, 0, wider.stderr);
      assert.match(wider.stderr, /finished earlier, skipped/);
      assert.match(wider.stderr, /evaluating robustness on 9 degraded copies/);

      // A damaged config.json must not cost the finished run its metrics.
      const configPath = join(results, runName, "config.json");
      const finalPath = join(results, runName, "final.json");
      const goodConfig = Deno.readTextFileSync(configPath);
      const finalBefore = Deno.readTextFileSync(finalPath);
      Deno.writeTextFileSync(configPath, goodConfig.slice(0, 40));
      const damaged = await runTask("tasks/bench.ts", [...args, "--corruptions", "fog"]);
      assert.equal(damaged.code, 1, damaged.stderr);
      assert.match(
        damaged.stderr,
        /config\.json is missing or not valid JSON.*restore config\.json, or pass --force/,
      );
      assert.equal(Deno.readTextFileSync(finalPath), finalBefore, "final.json is kept");
      Deno.writeTextFileSync(configPath, goodConfig);

      const report = await runTask("tasks/report.ts", ["--results", results]);
      assert.equal(report.code, 0, report.stderr);
      assert.match(report.stdout, /## Robustness/);
      assert.match(report.stdout, /^\| hard \| dataset \| 1 \| \d+\.\d\d ± – \| – \| 100\.0 ± – \| – \|/m);
      assert.match(report.stdout, /^\| fog \| \d+\.\d\d \|$/m);

      const quiet = [...args, "--corruptions", "none", "--distortion-levels", "none"];
      await writeSolidImage(join(dataset, "train/reds/0.png"), 16, 16, [0, 255, 0]);
      const changed = await runTask("tasks/bench.ts", quiet);
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(
        changed.stderr,
        /finished earlier on other images: pixels or labels of the dataset changed since/,
      );
      assert.match(changed.stderr, /1 finished, 0 skipped, 0 failed/);
      // Training again removed the robustness results of the old weights.
      assert.equal(existsSync(robustnessPath), false);

      for (const entry of Deno.readDirSync(join(results, runName))) {
        if (entry.name.startsWith("checkpoint")) Deno.removeSync(join(results, runName, entry.name));
      }
      const noCheckpoint = await runTask("tasks/bench.ts", [...args, "--corruptions", "fog"]);
      assert.equal(noCheckpoint.code, 0, noCheckpoint.stderr);
      assert.match(noCheckpoint.stderr, /robustness evaluation failed: .*it has no checkpoint.*--force/);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "bench completes old final metrics",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "mials-final-metrics-e2e-" });
    try {
      const dataset = join(work, "dataset");
      const results = join(work, "results");
      await writeDataset(dataset);
      const args = [
        ...["--dataset", dataset, "--method", "hard", "--epochs", "1", "--width", "0.125", "--side", "16"],
        ...["--batch-size", "6", "--results", results, "--cache-dir", join(work, "cache"), ...NO_ROBUSTNESS],
      ];
      const first = await runTask("tasks/bench.ts", args);
      assert.equal(first.code, 0, first.stderr);
      const [runName] = [...Deno.readDirSync(results)].map((entry) => entry.name);
      const finalPath = join(results, runName, "final.json");
      const complete = JSON.parse(Deno.readTextFileSync(finalPath));

      // A run stored before the suite measured these metrics.
      const old = structuredClone(complete);
      for (const name of ["valTop5", "valMce", "valBrier", "valReliability"]) delete old.metrics[name];
      Deno.writeTextFileSync(finalPath, JSON.stringify(old));
      const again = await runTask("tasks/bench.ts", args);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /added valTop5, valMce, valBrier, valReliability to final\.json/);
      assert.deepEqual(JSON.parse(Deno.readTextFileSync(finalPath)), complete);

      // A stored top-1 that the checkpoint does not give leaves the file alone.
      const changed = { ...old, metrics: { ...old.metrics, valTop1: old.metrics.valTop1 + 0.25 } };
      Deno.writeTextFileSync(finalPath, JSON.stringify(changed));
      const third = await runTask("tasks/bench.ts", args);
      assert.equal(third.code, 0, third.stderr);
      assert.match(third.stderr, /final\.json is left as it was/);
      assert.deepEqual(JSON.parse(Deno.readTextFileSync(finalPath)), changed);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
