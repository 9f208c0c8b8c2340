/**
 * End-to-end: a bench matrix split into shards that run as separate processes,
 * then merged by `report`, gives the table of a single-process run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTask, writeDataset } from "./_e2e_support.ts";

/** Table rows without the train images/s column (the 8th cell), which measures time. */
/** Returns the table rows of a report, without the results table's throughput column, which differs between runs. */
function rowsWithoutThroughput(report: string): string[] {
  const rows = report.split("\n").filter((line) => line.startsWith("| "));
  const throughput = rows[0].split(" | ").indexOf("train images/s");
  const robustnessStart = rows.findIndex((row) => row.includes("| corruption top-1 (%) |"));
  const resultsEnd = robustnessStart < 0 ? rows.length : robustnessStart;
  return rows.map((line, i) =>
    i < resultsEnd ? line.split(" | ").filter((_, cell) => cell !== throughput).join(" | ") : line
  );
}

Deno.test({
  name: "bench shards merge into one report",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "mials-shard-e2e-" });
    try {
      await writeDataset(join(work, "dataset"));
      const args = [
        "--dataset",
        join(work, "dataset"),
        "--method",
        "hard,mi_adaptive",
        "--seeds",
        "0,1,2",
        "--epochs",
        "1",
        "--width",
        "0.125",
        "--side",
        "16",
        "--batch-size",
        "6",
        "--corruptions",
        "fog",
        "--distortion-levels",
        "0.5",
        "--cache-dir",
        join(work, "cache"),
      ];
      const single = join(work, "single");
      const whole = await runTask("tasks/bench.ts", [...args, "--results", single]);
      assert.equal(whole.code, 0, whole.stderr);
      assert.match(whole.stderr, /6 finished, 0 skipped, 0 failed/);

      const shardFolders = [join(work, "shard1"), join(work, "shard2")];
      const shards = await Promise.all(
        shardFolders.map((folder, i) =>
          runTask("tasks/bench.ts", [...args, "--shard", `${i + 1}/2`, "--results", folder])
        ),
      );
      for (const shard of shards) {
        assert.equal(shard.code, 0, shard.stderr);
        assert.match(shard.stderr, /shard \d\/2: 3 of 6 runs/);
        assert.match(shard.stderr, /3 finished, 0 skipped, 0 failed/);
      }
      // Matrix order is hard 0, 1, 2, then mi_adaptive 0, 1, 2. Shard 1 takes positions 0, 2 and 4.
      const shardOneRuns = [...Deno.readDirSync(shardFolders[0])]
        .map((entry) => entry.name.replace(/__[0-9a-f]{10}$/, ""))
        .sort();
      assert.deepEqual(shardOneRuns, [
        "hard__dataset__seed0",
        "hard__dataset__seed2",
        "mi_adaptive__dataset__seed1",
      ]);

      const singleReport = await runTask("tasks/report.ts", ["--results", single]);
      assert.equal(singleReport.code, 0, singleReport.stderr);
      const merged = await runTask("tasks/report.ts", ["--results", ...shardFolders]);
      assert.equal(merged.code, 0, merged.stderr);
      const expectedRows = rowsWithoutThroughput(singleReport.stdout);
      // Results: header, alignment, 2 methods. Robustness: summary 2 + 2, fog 2 + 1, blur..mosaic at 0.5
      // 2 + 4. Differences from hard: header, alignment, mi_adaptive.
      assert.equal(expectedRows.length, 4 + 4 + 3 + 6 + 3, singleReport.stdout);
      assert.match(singleReport.stdout, /^\| fog \| /m);
      assert.deepEqual(rowsWithoutThroughput(merged.stdout), expectedRows);

      const overlapping = await runTask("tasks/report.ts", ["--results", ...shardFolders, single]);
      assert.equal(overlapping.code, 0, overlapping.stderr);
      assert.deepEqual(rowsWithoutThroughput(overlapping.stdout), expectedRows);
      assert.doesNotMatch(overlapping.stdout, /different final metrics/);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
