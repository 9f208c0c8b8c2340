import assert from "node:assert/strict";
import { summarizeConfig } from "../engine/config.ts";
import { testRunConfig } from "../engine/_config_test_support.ts";
import type { StoredRunConfig } from "../engine/run_store.ts";
import type { MethodOptions } from "../methods/options.ts";
import { join } from "node:path";
import type { DegradedMetrics } from "../engine/robustness.ts";
import { comparisonIdentity, loadResults } from "./load.ts";
import { corruptionEntries, robustnessResult } from "./_test_robustness.ts";

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

/** Writes a run folder with the given final metrics and, optionally, robustness entries. */
async function writeRun(
  results: string,
  runId: string,
  metrics: Record<string, unknown>,
  entries?: DegradedMetrics[],
): Promise<void> {
  const folder = join(results, runId);
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(join(folder, "config.json"), JSON.stringify({ ...storedConfig("hard"), runId }));
  const final = {
    status: "finished",
    finishedAt: "2026-12-05T00:00:00Z",
    metrics,
    trainImagesPerSecond: 100,
  };
  await Deno.writeTextFile(join(folder, "final.json"), JSON.stringify(final));
  if (entries !== undefined) {
    await Deno.writeTextFile(join(folder, "robustness.json"), JSON.stringify(robustnessResult(entries)));
  }
}

Deno.test("loadResults leaves out runs with bad metrics", async () => {
  const results = await Deno.makeTempDir({ prefix: "mials-load-" });
  try {
    const good = { valTop1: 0.5, valEce: 0.1, valNll: 1.2 };
    const badEntries = corruptionEntries({ fog: [0.5, 0.4] });
    (badEntries[1] as unknown as Record<string, unknown>).top1 = null;
    await writeRun(results, "a-good", good, corruptionEntries({ fog: [0.5, 0.4] }));
    await writeRun(results, "b-no-nll", { valTop1: 0.5, valEce: 0.1 });
    await writeRun(results, "c-text-top1", { ...good, valTop1: "0.45" });
    await writeRun(results, "d-percent-ece", { ...good, valEce: 12 });
    await writeRun(results, "e-bad-entry", good, badEntries);
    const skipped: string[] = [];

    const { runs } = await loadResults([results], (line) => skipped.push(line));

    assert.deepEqual(runs.map((run) => run.stored.config.runId), ["a-good", "e-bad-entry"]);
    assert.ok(runs[0].robustness !== undefined, "a valid robustness.json is kept");
    assert.equal(runs[1].robustness, undefined, "a robustness.json with a null top-1 is left out");
    assert.equal(skipped.length, 4, skipped.join("\n"));
    assert.match(
      skipped[0],
      /b-no-nll\/final\.json: metrics\.valNll is missing, expected a number >= 0; left out/,
    );
    assert.match(
      skipped[1],
      /c-text-top1\/final\.json: metrics\.valTop1 is "0\.45", expected a number in \[0, 1\]/,
    );
    assert.match(
      skipped[2],
      /d-percent-ece\/final\.json: metrics\.valEce is 12, expected a number in \[0, 1\]/,
    );
    assert.match(
      skipped[3],
      /e-bad-entry\/robustness\.json: entry 1 \(fog\): top1 is null, expected a number in/,
    );
    assert.match(skipped[3], /delete the file and run bench again/);

    // A bad copy of a run in one folder does not hide or conflict with a good copy in another.
    const other = await Deno.makeTempDir({ prefix: "mials-load-" });
    try {
      await writeRun(other, "b-no-nll", { valTop1: 0.5, valEce: 0.1, valNll: 1 });
      for (const folders of [[results, other], [other, results]]) {
        const merged = await loadResults(folders);
        assert.ok(merged.runs.some((run) => run.stored.config.runId === "b-no-nll"), folders.join(" "));
        assert.deepEqual(merged.conflicts, []);
      }
    } finally {
      await Deno.remove(other, { recursive: true });
    }
  } finally {
    await Deno.remove(results, { recursive: true });
  }
});

Deno.test("loadResults names every damaged run it leaves out", async () => {
  const results = await Deno.makeTempDir({ prefix: "mials-load-" });
  try {
    const good = { valTop1: 0.5, valEce: 0.1, valNll: 1.2 };
    await writeRun(results, "a-good", good, corruptionEntries({ fog: [0.5, 0.4] }));
    await writeRun(results, "b-percent-mce", { ...good, valMce: 5 });
    await writeRun(results, "c-text-brier", { ...good, valBrier: "x" });
    await writeRun(results, "d-no-top5", { ...good, valTop5: null });
    await writeRun(results, "e-done", good);
    const donePath = join(results, "e-done", "final.json");
    await Deno.writeTextFile(donePath, (await Deno.readTextFile(donePath)).replace('"finished"', '"done"'));
    await writeRun(results, "f-no-config", good);
    await Deno.remove(join(results, "f-no-config", "config.json"));
    await writeRun(results, "g-text-seed", good);
    const seedPath = join(results, "g-text-seed", "config.json");
    const config = JSON.parse(await Deno.readTextFile(seedPath));
    await Deno.writeTextFile(
      seedPath,
      JSON.stringify({ ...config, config: { ...config.config, seed: "zero" } }),
    );
    await writeRun(results, "h-torn-robustness", good, corruptionEntries({ fog: [0.5, 0.4] }));
    const robustnessPath = join(results, "h-torn-robustness", "robustness.json");
    await Deno.writeTextFile(robustnessPath, (await Deno.readTextFile(robustnessPath)).slice(0, 50));
    const skipped: string[] = [];

    const { runs } = await loadResults([results], (line) => skipped.push(line));

    const ids = runs.map((run) => run.stored.config.runId);
    assert.deepEqual(ids, ["a-good", "d-no-top5", "h-torn-robustness"]);
    assert.equal(runs[2].robustness, undefined);
    const expected = [
      /b-percent-mce\/final\.json: metrics\.valMce is 5, expected a number in \[0, 1\]; left out/,
      /c-text-brier\/final\.json: metrics\.valBrier is "x", expected a number in \[0, 2\]/,
      /e-done\/final\.json: status is "done", expected "finished" or "failed"/,
      /f-no-config: final\.json without config\.json, left out/,
      /g-text-seed: config\.json or final\.json lacks the fields bench writes/,
      /h-torn-robustness\/robustness\.json: not valid JSON or not a robustness result of this version/,
    ];
    assert.equal(skipped.length, expected.length, skipped.join("\n"));
    for (const pattern of expected) {
      assert.ok(
        skipped.some((line) => pattern.test(line)),
        `no line matches ${pattern}:\n${skipped.join("\n")}`,
      );
    }
  } finally {
    await Deno.remove(results, { recursive: true });
  }
});
