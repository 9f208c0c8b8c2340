/**
 * End-to-end tests of `deno task report` on hand-written results folders: the
 * SVG charts beside the Markdown, and `--compare`.
 *
 * @module
 */
import type { DegradedMetrics } from "../engine/robustness.ts";
import { robustnessResult } from "../reports/_test_robustness.ts";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { parseSvgTags } from "../reports/_svg_test_support.ts";
import { runTask } from "./_e2e_support.ts";
import { DEFAULT_TRAINING } from "../engine/config.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";

const CONFIG = "ResNet-18 width 0.25, 32 px, 20 train images, 1 epoch";

/** Training settings of the runs that the ablation test writes. */
const ABLATION_CONFIG = { ...DEFAULT_TRAINING, dataset: "cifar10", stem: "cifar", cropPadding: 4, epochs: 1 };

/** Writes one finished run folder with reliability bins and, optionally, a robustness result. */
async function writeRun(
  results: string,
  method: string,
  seed: number,
  top1: number,
  withRobustness: boolean,
  nmiBins?: number,
): Promise<void> {
  const suffix = nmiBins === undefined ? "" : `_bins${nmiBins}`;
  const runId = `${method.replace("+", "_")}${suffix}__cifar10__seed${seed}__0123456789`;
  const folder = join(results, runId);
  await Deno.mkdir(folder, { recursive: true });

  const config = {
    runId,
    config: nmiBins === undefined ? { method, seed } : {
      ...ABLATION_CONFIG,
      method,
      seed,
      methodOptions: {
        ...DEFAULT_METHOD_OPTIONS,
        nmiBins,
      },
    },
    trainImages: 20,
    datasetName: "cifar10",
    configSummary: nmiBins === undefined || nmiBins === 64 ? CONFIG : `${CONFIG}, NMI bins ${nmiBins}`,
    versions: { deno: "2", tfjs: "4.22.0", backend: "cpu" },
  };
  const reliability = [
    { lower: 0, upper: 0.5, count: 6, meanConfidence: 0.4, accuracy: 0.5 },
    { lower: 0.5, upper: 1, count: 4, meanConfidence: 0.8, accuracy: 0.75 },
  ];
  const final = {
    status: "finished",
    finishedAt: "2026-01-01T00:00:00.000Z",
    metrics: {
      epoch: 1,
      trainLoss: 1,
      learningRate: 0.1,
      trainImagesPerSecond: 10,
      epochSeconds: 1,
      valTop1: top1,
      valNll: 1.5,
      valEce: 0.1,
      valReliability: reliability,
    },
    trainImagesPerSecond: 10,
  };
  await Deno.writeTextFile(join(folder, "config.json"), JSON.stringify(config));
  await Deno.writeTextFile(join(folder, "final.json"), JSON.stringify(final));
  if (withRobustness) await writeRobustness(folder, top1);
}

/** Writes `robustness.json` with fog at severities 1 to 5 and blur at levels 0.2 and 0.8. */
async function writeRobustness(folder: string, top1: number): Promise<void> {
  const entries: DegradedMetrics[] = [];
  for (const severity of [1, 2, 3, 4, 5]) {
    entries.push({
      kind: "corruption",
      name: "fog",
      set: "test",
      severity,
      top1: top1 - 0.05 * severity,
      top5: null,
      ece: 0.1,
      nll: 1,
      brier: 0.5,
      count: 10,
    });
  }
  for (const level of [0.2, 0.8]) {
    entries.push({
      kind: "distortion",
      name: "blur",
      level,
      top1: top1 - level / 4,
      top5: null,
      ece: 0.1,
      nll: 1,
      brier: 0.5,
      count: 10,
      nmi: { mean: 1 - level, std: 0.1 },
      epsilon: { mean: Math.min(0.9, level), std: 0.1 },
    });
  }

  const robustness = robustnessResult(entries, 10);
  await Deno.writeTextFile(join(folder, "robustness.json"), JSON.stringify(robustness));
}

/**
 * Registers an end-to-end test that gets a new temporary folder, removed afterwards,
 * with the resource and op sanitizers off as in the other end-to-end tests.
 */
function reportTest(name: string, body: (work: string) => Promise<void>): void {
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const work = await Deno.makeTempDir({ prefix: "mials-report-e2e-" });
      try {
        await body(work);
      } finally {
        await Deno.remove(work, { recursive: true });
      }
    },
  });
}

reportTest("report writes linked SVG charts", async (work) => {
  const results = join(work, "results");
  await writeRun(results, "hard", 0, 0.6, true);
  await writeRun(results, "hard", 1, 0.62, true);
  await writeRun(results, "randaugment+mi_adaptive", 0, 0.7, true);
  const out = join(work, "report", "table.md");
  await Deno.mkdir(dirname(out));

  const report = await runTask("tasks/report.ts", ["--results", results, "--out", out]);
  assert.equal(report.code, 0, report.stderr);
  const markdown = Deno.readTextFileSync(out);
  assert.equal(markdown.trim(), report.stdout.trim());
  // top-1 70 against mean(60, 62) = 61; corruption top-1 mean(70 - 5 s) = 55 against 46.
  assert.match(
    markdown,
    /^## Differences from hard\n\nDataset cifar10, .*\n\n.*\n.*\n\| randaugment\+mi_adaptive \| 1 \| 2 \| \+9\.00 \(–\) \| 0\.00 \(–\) \| 0\.000 \(–\) \| \+9\.00 \(–\) \|/m,
  );
  const noBaseline = await runTask("tasks/report.ts", ["--results", results, "--baseline", "distort_hard"]);
  assert.equal(noBaseline.code, 1);
  assert.match(
    noBaseline.stderr,
    /--baseline "distort_hard": no finished run of that method in .*\. Pass one of: hard, randaugment\+mi_adaptive\./,
  );
  const withCompare = await runTask("tasks/report.ts", ["--compare", results, results, "--baseline", "hard"]);
  assert.equal(withCompare.code, 1);
  assert.match(withCompare.stderr, /--baseline does not apply to --compare/);
  const links = [...markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1]);
  assert.deepEqual(links, [
    "table-charts/cifar10-reliability-hard.svg",
    "table-charts/cifar10-reliability-randaugment-plus-mi_adaptive.svg",
    "table-charts/cifar10-corruption-severity.svg",
    "table-charts/cifar10-distortion-blur.svg",
    "table-charts/cifar10-nmi-blur.svg",
  ]);
  for (const link of links) parseSvgTags(Deno.readTextFileSync(join(dirname(out), link)));
  const written = [...Deno.readDirSync(join(work, "report", "table-charts"))].map((entry) => entry.name);
  assert.equal(written.length, links.length, `unexpected files: ${written.join(", ")}`);

  // --out into a run folder could replace its stored results.
  const [runFolder] = [...Deno.readDirSync(results)].map((entry) => join(results, entry.name));
  const finalBefore = Deno.readTextFileSync(join(runFolder, "final.json"));
  const intoRun = await runTask("tasks/report.ts", [
    "--results",
    results,
    "--out",
    join(runFolder, "final.json"),
  ]);
  assert.equal(intoRun.code, 1);
  assert.match(intoRun.stderr, /--out .*final\.json is inside the run folder .*Write the report elsewhere/);
  assert.equal(Deno.readTextFileSync(join(runFolder, "final.json")), finalBefore);
});

reportTest("report without out writes no charts", async (work) => {
  const results = join(work, "results");
  await writeRun(results, "hard", 0, 0.6, true);
  const report = await runTask("tasks/report.ts", ["--results", results]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stderr, /no charts written\. Pass --out FILE or --charts DIR/);
  assert.doesNotMatch(report.stdout, /## Charts/);
  assert.deepEqual([...Deno.readDirSync(work)].map((entry) => entry.name), ["results"]);

  const charts = join(work, "charts");
  const withCharts = await runTask("tasks/report.ts", ["--results", results, "--charts", charts]);
  assert.equal(withCharts.code, 0, withCharts.stderr);
  assert.ok(withCharts.stdout.includes(`](${charts}/cifar10-reliability-hard.svg)`), withCharts.stdout);
  parseSvgTags(Deno.readTextFileSync(join(charts, "cifar10-reliability-hard.svg")));
});

reportTest("report compare prints differences", async (work) => {
  const a = join(work, "a");
  const b = join(work, "b");
  await writeRun(a, "hard", 0, 0.6, true);
  await writeRun(a, "mixup", 0, 0.5, false);
  await writeRun(b, "hard", 0, 0.65, true);
  await writeRun(b, "cutmix", 0, 0.55, false);

  const compared = await runTask("tasks/report.ts", ["--compare", a, b]);
  assert.equal(compared.code, 0, compared.stderr);
  // top-1 60 -> 65 %; corruption top-1 mean(60 - 5 s) = 45 -> 50 %.
  assert.match(compared.stdout, /^\| hard \| cifar10 \| 1 \| 1 \| 60\.00 \| 65\.00 \| \+5\.00 \|/m);
  assert.match(compared.stdout, /\| 45\.00 \| 50\.00 \| \+5\.00 \| ResNet-18/);
  assert.match(compared.stdout, /^Only in A \(.*\/a\):\n\n- mixup on cifar10/m);
  assert.match(compared.stdout, /^Only in B \(.*\/b\):\n\n- cutmix on cifar10/m);

  const missing = await runTask("tasks/report.ts", ["--compare", a, join(work, "missing")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Folder B \(.*missing\) does not exist/);

  const oneFolder = await runTask("tasks/report.ts", ["--compare", a]);
  assert.equal(oneFolder.code, 1);
  assert.match(oneFolder.stderr, /--compare needs exactly two results folders, A and B, but got 1/);
});

reportTest("report lists mi_adaptive runs that differ in NMI bins as an ablation", async (work) => {
  await writeRun(work, "mi_adaptive", 0, 0.5, true, 64);
  await writeRun(work, "mi_adaptive", 0, 0.6, false, 16);
  await writeRun(work, "hard", 0, 0.7, false);
  const report = await runTask("tasks/report.ts", ["--results", work]);
  assert.equal(report.code, 0, report.stderr);
  const ablations = report.stdout.slice(report.stdout.indexOf("## Ablations"));
  assert.match(
    ablations,
    /^## Ablations\n\n`mi_adaptive` on cifar10, ResNet-18 width 0.25, 32 px, 20 train images/,
  );
  assert.match(
    ablations,
    /\| nmi \| 16 \| 1 \| diffusion\+blur\+dropout\+mosaic \| k-1 \| 1 \| 60\.00 ± – \|.* \| n\/a \|/,
  );
  assert.match(ablations, /\| nmi \| 64 \| .* \| 50\.00 ± – \|.* \| 35\.00 ± – \|/);
});
