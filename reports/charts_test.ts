import { robustnessResult } from "./_test_robustness.ts";
import assert from "node:assert/strict";
import type { DegradedMetrics, RobustnessResult } from "../engine/robustness.ts";
import type { ReliabilityBin } from "../metrics/classification.ts";
import type { ChartRun } from "./chart_data.ts";
import { buildCharts, buildChartsMarkdown, type ChartFile, chartFiles, safeFileStem } from "./charts.ts";
import { parsePoints, parseSvgTags, tagsNamed, textContents } from "./_svg_test_support.ts";

const CONFIG = "ResNet-18 width 0.25, 32 px";

const BINS: ReliabilityBin[] = [
  { lower: 0, upper: 0.5, count: 4, meanConfidence: 0.4, accuracy: 0.25 },
  { lower: 0.5, upper: 1, count: 6, meanConfidence: 0.8, accuracy: 0.5 },
];

function robustness(top1: number, nmi: number): RobustnessResult {
  const entries: DegradedMetrics[] = [];
  for (const name of ["fog", "contrast"]) {
    for (const severity of [1, 2, 3, 4, 5]) {
      entries.push({
        kind: "corruption",
        name,
        set: "test",
        severity,
        top1: top1 - 0.1 * severity,
        top5: null,
        ece: 0.1,
        nll: 1,
        brier: 0.5,
        count: 10,
      });
    }
  }
  for (const name of ["blur", "mosaic"]) {
    for (const level of [0.2, 0.8]) {
      entries.push({
        kind: "distortion",
        name,
        level,
        top1: top1 - level / 2,
        top5: null,
        ece: 0.1,
        nll: 1,
        brier: 0.5,
        count: 10,
        nmi: { mean: nmi - level / 2, std: 0.05 },
        epsilon: { mean: Math.min(0.9, 1 - (nmi - level / 2)), std: 0.05 },
      });
    }
  }
  return robustnessResult(entries, 10);
}

function run(method: string, seed: number, options: Partial<ChartRun> = {}): ChartRun {
  return {
    runId: `${method}__cifar10__seed${seed}`,
    method,
    dataset: "cifar10",
    configSummary: CONFIG,
    seed,
    ...options,
  };
}

const RUNS: ChartRun[] = [
  run("randaugment+mi_adaptive", 0, { reliability: BINS, robustness: robustness(0.8, 0.9) }),
  run("hard", 1, { robustness: robustness(0.7, 0.9) }),
  run("hard", 0, { robustness: robustness(0.6, 0.9) }),
  run("randaugment+mi_adaptive", 1, { reliability: BINS, robustness: robustness(0.9, 0.9) }),
];

function fileNamed(files: ChartFile[], name: string): ChartFile {
  const file = files.find((candidate) => candidate.fileName === name);
  assert.ok(
    file !== undefined,
    `no chart ${name} among ${files.map((candidate) => candidate.fileName).join(", ")}`,
  );
  return file;
}

Deno.test("safeFileStem replaces unsafe characters", () => {
  assert.equal(safeFileStem("randaugment+mi_adaptive"), "randaugment-plus-mi_adaptive");
  assert.equal(safeFileStem("a/b\\c d:e*?"), "a_b_c_d_e__");
  assert.equal(safeFileStem("../etc"), "_etc");
  assert.equal(safeFileStem("..."), "unnamed");
  assert.equal(safeFileStem(""), "unnamed");
  assert.equal(safeFileStem("x".repeat(300)).length, 80);
  assert.equal(safeFileStem("ImageNet-100_v2.1"), "ImageNet-100_v2.1");
});

Deno.test("buildCharts names and lists every chart", () => {
  const blocks = buildCharts(RUNS, ["hard", "randaugment+mi_adaptive"]);
  assert.equal(blocks.length, 1);
  const names = chartFiles(blocks).map((file) => file.fileName);
  assert.deepEqual(names, [
    "cifar10-reliability-randaugment-plus-mi_adaptive.svg",
    "cifar10-corruption-severity.svg",
    "cifar10-distortion-blur.svg",
    "cifar10-distortion-mosaic.svg",
    "cifar10-nmi-blur.svg",
    "cifar10-nmi-mosaic.svg",
  ]);
  for (const file of chartFiles(blocks)) {
    assert.match(file.fileName, /^[A-Za-z0-9_.-]+\.svg$/);
    parseSvgTags(file.svg);
  }
  const notes = blocks[0].items.filter((item) => typeof item === "string");
  assert.ok(notes.some((note) => /No reliability diagram for hard/.test(note)), notes.join("\n"));
  assert.ok(notes.some((note) => /test corruptions fog, contrast/.test(note)), notes.join("\n"));
});

Deno.test("buildCharts severity lines use seed means", () => {
  const files = chartFiles(buildCharts(RUNS, ["hard", "randaugment+mi_adaptive"]));
  const svg = fileNamed(files, "cifar10-corruption-severity.svg").svg;
  const texts = textContents(svg);
  assert.ok(texts.includes("hard (2 seeds)"), texts.join(" | "));
  assert.ok(texts.includes("randaugment+mi_adaptive (2 seeds)"));
  assert.ok(texts.includes("mean over 2 test corruptions"));
  const lines = tagsNamed(svg, "polyline", "line").map((tag) => parsePoints(tag.attributes.points));
  assert.equal(lines.length, 2);
  assert.equal(lines[0].length, 5, "five severities");
  // hard's mean top-1 is 65 - 10 s %; randaugment+mi_adaptive's is 85 - 10 s %, so it is drawn higher.
  assert.ok(lines[1][0][1] < lines[0][0][1], "the better method is not drawn higher");
  assert.equal(tagsNamed(svg, "polygon", "band").length, 2, "two seeds give each line a band");
});

Deno.test("buildCharts pools reliability over seeds", () => {
  const files = chartFiles(buildCharts(RUNS));
  const svg = fileNamed(files, "cifar10-reliability-randaugment-plus-mi_adaptive.svg").svg;
  const texts = textContents(svg);
  assert.ok(texts.includes("20 images"), texts.join(" | "));
  assert.ok(texts.includes("bins pooled over 2 seeds"));
  // ECE: 0.4 * |0.25 - 0.4| + 0.6 * |0.5 - 0.8| = 0.06 + 0.18 = 24%.
  assert.ok(texts.includes("ECE 24.00%"));
});

Deno.test("buildCharts notes seeds without reliability", () => {
  const partial = [run("hard", 0, { reliability: BINS }), run("hard", 1)];
  const svg = chartFiles(buildCharts(partial))[0].svg;
  assert.ok(textContents(svg).includes("(1 of 2 seeds store no bins)"));
});

Deno.test("buildCharts NMI chart names source run", () => {
  const files = chartFiles(buildCharts(RUNS, ["hard", "randaugment+mi_adaptive"]));
  const svg = fileNamed(files, "cifar10-nmi-blur.svg").svg;
  const texts = textContents(svg);
  assert.ok(texts.includes("from run hard__cifar10__seed0"), texts.join(" | "));
  assert.ok(texts.includes("NMI"));
  assert.equal(tagsNamed(svg, "polygon", "band").length, 2, "NMI and epsilon both get a std band");
});

Deno.test("buildCharts notes differing NMI", () => {
  const runs = [
    run("hard", 0, { robustness: robustness(0.6, 0.9) }),
    run("mixup", 0, { robustness: robustness(0.6, 0.7) }),
  ];
  const notes = buildCharts(runs, ["hard", "mixup"])[0].items.filter((item) => typeof item === "string");
  assert.ok(
    notes.some((note) => /NMI under blur differs in mixup__cifar10__seed0/.test(note)),
    notes.join("\n"),
  );
});

Deno.test("buildCharts without robustness or bins", () => {
  const blocks = buildCharts([run("hard", 0)]);
  assert.equal(chartFiles(blocks).length, 0);
  assert.equal(blocks[0].items.length, 2);
  assert.match(String(blocks[0].items[1]), /no run of this configuration has robustness\.json/);
  assert.deepEqual(buildCharts([]), []);
});

Deno.test("buildCharts keeps configurations apart", () => {
  const runs = [
    run("hard", 0, { reliability: BINS }),
    run("hard", 0, { reliability: BINS, configSummary: "width 0.5" }),
  ];
  const names = chartFiles(buildCharts(runs)).map((file) => file.fileName).sort();
  assert.deepEqual(names, ["cifar10-config1-reliability-hard.svg", "cifar10-config2-reliability-hard.svg"]);
});

Deno.test("buildCharts makes colliding names unique", () => {
  // "a+b" and "a-plus-b" give the same stem.
  const runs = [run("a+b", 0, { reliability: BINS }), run("a-plus-b", 0, { reliability: BINS })];
  const names = chartFiles(buildCharts(runs)).map((file) => file.fileName);
  assert.deepEqual(names, ["cifar10-reliability-a-plus-b.svg", "cifar10-reliability-a-plus-b-2.svg"]);
});

Deno.test("buildChartsMarkdown links relative paths", () => {
  const blocks = buildCharts(RUNS, ["hard", "randaugment+mi_adaptive"]);
  const markdown = buildChartsMarkdown(blocks, "my table-charts");
  assert.match(markdown, /^## Charts$/m);
  assert.match(markdown, /^### cifar10, ResNet-18 width 0\.25, 32 px$/m);
  assert.ok(
    markdown.includes(
      "![Reliability diagram: randaugment+mi\\_adaptive](my%20table-charts/cifar10-reliability-randaugment-plus-mi_adaptive.svg)",
    ),
    markdown,
  );
  const links = [...markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1]);
  assert.equal(links.length, chartFiles(blocks).length);
  assert.ok(links.every((link) => link.startsWith("my%20table-charts/")));
  assert.match(buildChartsMarkdown(blocks, "../charts"), /\]\(\.\.\/charts\/cifar10-nmi-blur\.svg\)/);
  assert.match(buildChartsMarkdown(blocks, "/tmp/x"), /\]\(\/tmp\/x\/cifar10-nmi-blur\.svg\)/);
});

Deno.test("buildChartsMarkdown without charts", () => {
  assert.match(buildChartsMarkdown(buildCharts([run("hard", 0)]), "c"), /No chart could be drawn/);
  assert.match(buildChartsMarkdown([], "c"), /No finished runs to chart/);
});
