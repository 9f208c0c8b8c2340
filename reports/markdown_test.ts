import assert from "node:assert/strict";
import { buildResultsTable, RESULTS_TABLE_HEADER, type RunSummary } from "./markdown.ts";

const SMALL = "width 0.25, side 32, 15 epochs, batch 128, train 2000 images";
const WIDE = "width 0.5, side 32, 15 epochs, batch 128, train 2000 images";

function run(
  method: string,
  dataset: string,
  seed: number,
  final: RunSummary["final"],
  options: { backend?: string; configSummary?: string; status?: RunSummary["status"] } = {},
): RunSummary {
  return {
    method,
    dataset,
    seed,
    backend: options.backend ?? "wasm",
    configSummary: options.configSummary ?? SMALL,
    final,
    status: options.status ?? "finished",
  };
}

const FAILED_METRICS = { top1: Number.NaN, ece: Number.NaN, nll: Number.NaN, imagesPerSecond: 0 };

const RUNS: RunSummary[] = [
  run("ls", "cifar10", 1, { top1: 0.80, ece: 0.05, nll: 0.5, imagesPerSecond: 10 }),
  run("mi-adaptive", "cifar10", 1, { top1: 0.85, ece: 0.03, nll: 0.4, imagesPerSecond: 15 }),
  run("ls", "cifar10", 2, { top1: 0.82, ece: 0.07, nll: 0.6, imagesPerSecond: 20 }, {
    backend: "tensorflow",
  }),
  run("baseline", "cifar10", 1, { top1: 0.70, ece: 0.10, nll: 0.9, imagesPerSecond: 12 }),
  run("ls", "cifar10", 3, { top1: 0.84, ece: 0.06, nll: 0.7, imagesPerSecond: 30 }),
  run("mi-adaptive", "cifar10", 2, { top1: 0.86, ece: 0.04, nll: 0.5, imagesPerSecond: 17 }),
  run("mi-adaptive", "cifar10", 3, FAILED_METRICS, { status: "failed" }),
  run("ls", "animals", 1, { top1: 0.6, ece: 0.2, nll: 1.2, imagesPerSecond: 8 }),
  run("ls", "animals", 2, { top1: 0.64, ece: 0.1, nll: 1.0, imagesPerSecond: 9 }),
  run("ls", "cifar10", 1, { top1: 0.9, ece: 0.02, nll: 0.3, imagesPerSecond: 5 }, { configSummary: WIDE }),
];

/** Splits a Markdown table line into trimmed cells, keeping escaped pipes inside cells. */
function cells(line: string): string[] {
  assert.ok(line.startsWith("| "), `row does not start with "| ": ${line}`);
  assert.ok(line.endsWith(" |"), `row does not end with " |": ${line}`);
  return line.slice(2, -2).split(/ (?<!\\)\| /);
}

function tableLines(markdown: string): string[] {
  return markdown.split("\n").filter((line) => line.startsWith("|"));
}

/** Index of a column by its header. */
function column(header: string): number {
  const index = RESULTS_TABLE_HEADER.indexOf(header);
  assert.ok(index >= 0, `no column "${header}"`);
  return index;
}

/** Picks the cells of a row under the given headers. */
function pick(row: string[], ...headers: string[]): string[] {
  return headers.map((header) => row[column(header)]);
}

function rowFor(markdown: string, method: string, dataset: string, configSummary = SMALL): string[] {
  const rows = tableLines(markdown).map(cells).filter((row) =>
    row[0] === method && row[1] === dataset && row[column("configuration")] === configSummary
  );
  assert.equal(rows.length, 1, `expected one row for ${method} on ${dataset}`);
  return rows[0];
}

Deno.test("buildResultsTable three-seed row hand-computed", () => {
  // top-1 80, 82, 84 %: mean 82, std sqrt((4 + 0 + 4) / 2) = 2.
  // ECE 5, 7, 6 %: mean 6, std sqrt((1 + 1 + 0) / 2) = 1.
  // NLL 0.5, 0.6, 0.7: mean 0.6, std 0.1. images/s 10, 20, 30: mean 20.
  // 95% interval of top-1: 82 ± t(0.975, 2) · 2 / sqrt(3) = 82 ± 4.302653 · 1.154701 = 82 ± 4.968;
  // of ECE: 6 ± 4.302653 · 0.577350 = 6 ± 2.484.
  // Runs without top-5, MCE and Brier show n/a.
  const row = rowFor(buildResultsTable(RUNS), "ls", "cifar10");
  assert.deepEqual(row, [
    "ls",
    "cifar10",
    "3",
    "82.00 ± 2.00",
    "77.03 to 86.97",
    "n/a",
    "6.00 ± 1.00",
    "3.52 to 8.48",
    "n/a",
    "0.600 ± 0.100",
    "n/a",
    "20.0",
    "tensorflow, wasm",
    SMALL,
  ]);
});

Deno.test("buildResultsTable two-seed row hand-computed", () => {
  // Two values a, b have std |a - b| / sqrt(2): top-1 85, 86 % -> 0.71, ECE 3, 4 % -> 0.71,
  // NLL 0.4, 0.5 -> 0.071. Seed 3 failed and is not counted.
  const row = rowFor(buildResultsTable(RUNS), "mi-adaptive", "cifar10");
  assert.deepEqual(
    pick(row, "n (seeds)", "top-1 (%)", "ECE (%)", "NLL (nats)", "train images/s", "backend(s)"),
    ["2", "85.50 ± 0.71", "3.50 ± 0.71", "0.450 ± 0.071", "16.0", "wasm"],
  );
  // ECE 95% interval: 3.5 ± t(0.975, 1) · 0.7071 / sqrt(2) = 3.5 ± 12.706 · 0.5 = -2.85 to 9.85.
  assert.equal(pick(row, "ECE 95% CI (%)")[0], "-2.85 to 9.85");
});

Deno.test("buildResultsTable single seed shows dash", () => {
  const markdown = buildResultsTable(RUNS);
  const row = rowFor(markdown, "baseline", "cifar10");
  assert.deepEqual(
    pick(row, "n (seeds)", "top-1 (%)", "top-1 95% CI (%)", "ECE (%)", "ECE 95% CI (%)", "NLL (nats)"),
    ["1", "70.00 ± –", "–", "10.00 ± –", "–", "0.900 ± –"],
  );
  assert.match(markdown, /"± –" marks a group with one seed, which has no standard deviation\./);
});

Deno.test("buildResultsTable omits dash note without single seeds", () => {
  const markdown = buildResultsTable(RUNS.filter((r) => r.method === "ls" && r.configSummary === SMALL));
  assert.doesNotMatch(markdown, /marks a group with one seed/);
  assert.match(markdown, /mean ± sample standard deviation \(n - 1 denominator\)/);
});

Deno.test("buildResultsTable counts failed runs in a note", () => {
  const markdown = buildResultsTable(RUNS);
  assert.match(markdown, /^1 failed run left out: mi-adaptive on cifar10, seed 3\.$/m);
  assert.equal(markdown.includes("NaN"), false);
  const twoFailed = [...RUNS, run("ls", "animals", 3, FAILED_METRICS, { status: "failed" })];
  assert.match(buildResultsTable(twoFailed), /^2 failed runs left out: .*; ls on animals, seed 3\.$/m);
});

Deno.test("buildResultsTable omits failed note without failures", () => {
  const markdown = buildResultsTable(RUNS.filter((r) => r.status === "finished"));
  assert.doesNotMatch(markdown, /failed/);
});

Deno.test("buildResultsTable groups by configuration", () => {
  const markdown = buildResultsTable(RUNS);
  assert.equal(rowFor(markdown, "ls", "cifar10", SMALL)[2], "3");
  assert.deepEqual(rowFor(markdown, "ls", "cifar10", WIDE).slice(2, 4), ["1", "90.00 ± –"]);
});

Deno.test("buildResultsTable sorts by dataset then method order", () => {
  const order = (markdown: string) =>
    tableLines(markdown).slice(2).map((line) => cells(line).slice(0, 2).join("/"));
  assert.deepEqual(order(buildResultsTable(RUNS, ["mi-adaptive", "ls"])), [
    "ls/animals",
    "mi-adaptive/cifar10",
    "ls/cifar10",
    "ls/cifar10",
    "baseline/cifar10",
  ]);
  assert.deepEqual(order(buildResultsTable(RUNS)), [
    "ls/animals",
    "baseline/cifar10",
    "ls/cifar10",
    "ls/cifar10",
    "mi-adaptive/cifar10",
  ]);
  const [smallRow, wideRow] = tableLines(buildResultsTable(RUNS)).slice(2).map(cells).filter((row) =>
    row[0] === "ls" && row[1] === "cifar10"
  );
  assert.deepEqual(pick(smallRow, "configuration").concat(pick(wideRow, "configuration")), [SMALL, WIDE]);
});

Deno.test("buildResultsTable is a well-formed table", () => {
  const piped = run("a|b", "cifar10", 1, { top1: 0.5, ece: 0.1, nll: 1, imagesPerSecond: 3 }, {
    configSummary: "width 1 | side 32\nbatch 64",
  });
  const lines = tableLines(buildResultsTable([...RUNS, piped]));
  assert.equal(lines.length, 2 + 6);
  for (const line of lines) assert.equal(cells(line).length, 14, `wrong cell count in: ${line}`);
  assert.deepEqual(cells(lines[0]), [
    "method",
    "dataset",
    "n (seeds)",
    "top-1 (%)",
    "top-1 95% CI (%)",
    "top-5 (%)",
    "ECE (%)",
    "ECE 95% CI (%)",
    "MCE (%)",
    "NLL (nats)",
    "Brier",
    "train images/s",
    "backend(s)",
    "configuration",
  ]);
  assert.ok(cells(lines[1]).every((cell) => /^-{3,}:?$/.test(cell)));
  const pipedRow = lines.map(cells).find((row) => row[0] === "a\\|b");
  assert.ok(pipedRow !== undefined, "row with an escaped pipe in the method name");
  assert.equal(pipedRow[column("configuration")], "width 1 \\| side 32 batch 64");
});

Deno.test("buildResultsTable without finished runs", () => {
  const markdown = buildResultsTable([run("ls", "cifar10", 1, FAILED_METRICS, { status: "failed" })]);
  assert.equal(markdown, "No finished runs.\n1 failed run left out: ls on cifar10, seed 1.\n");
  assert.equal(buildResultsTable([]), "No finished runs.\n");
});

Deno.test("buildResultsTable rejects percentages", () => {
  const percent = run("ls", "cifar10", 1, { top1: 82, ece: 0.05, nll: 0.5, imagesPerSecond: 10 });
  assert.throws(
    () => buildResultsTable([percent]),
    /ls on cifar10, seed 1: final\.top1 is 82, expected a number in \[0, 1\]\. Pass a fraction/,
  );
  const badNll = run("ls", "cifar10", 1, { top1: 0.8, ece: 0.05, nll: Number.NaN, imagesPerSecond: 10 });
  assert.throws(() => buildResultsTable([badNll]), /final\.nll is NaN, expected a number >= 0/);
});

Deno.test("buildResultsTable hints percentages only", () => {
  const metrics = { top1: 0.8, ece: 0.05, nll: 0.5, imagesPerSecond: 10 };
  const negative = run("ls", "cifar10", 1, { ...metrics, top1: -0.1 });
  assert.throws(() => buildResultsTable([negative]), (error: Error) => {
    assert.match(error.message, /final\.top1 is -0\.1, expected a number in \[0, 1\]\.$/);
    return true;
  });
  const bigint = run("ls", "cifar10", 1, { ...metrics, mce: 1n as unknown as number });
  assert.throws(() => buildResultsTable([bigint]), /final\.mce is 1n, expected a number in \[0, 1\]/);
});

Deno.test("buildResultsTable rejects repeated seeds", () => {
  const repeated = [...RUNS, run("ls", "animals", 2, { top1: 0.6, ece: 0.1, nll: 1, imagesPerSecond: 9 })];
  assert.throws(() => buildResultsTable(repeated), /Two finished runs of ls on animals, seed 2/);
  const metrics = { top1: 0.6, ece: 0.1, nll: 1, imagesPerSecond: 9 };
  const inFolders = [
    { ...run("ls", "animals", 2, metrics), directory: "results/ls-a" },
    { ...run("ls", "animals", 2, metrics), directory: "results/ls-b" },
  ];
  assert.throws(() => buildResultsTable(inFolders), /\(results\/ls-a and results\/ls-b\)/);
});

Deno.test("buildResultsTable warns about rows of different datasets", () => {
  const metrics = { top1: 0.6, ece: 0.1, nll: 1, imagesPerSecond: 9 };
  const runs = [
    { ...run("ls", "data", 1, metrics), datasetDigest: "aa" },
    { ...run("ls", "data", 2, metrics), datasetDigest: "bb" },
    { ...run("hard", "data", 1, metrics), datasetDigest: "aa" },
    { ...run("hard", "data", 2, metrics), datasetDigest: "aa" },
  ];
  const table = buildResultsTable(runs);
  assert.match(table, /Warning: the row of ls on data pools runs on 2 different datasets of that name/);
  assert.doesNotMatch(table, /row of hard/);
});

Deno.test("buildResultsTable shows top-5, MCE and Brier when every run has them", () => {
  // top-5 90, 94 %: mean 92, std 4 / sqrt(2) = 2.83. MCE 10, 20 %: mean 15, std 7.07.
  // Brier 0.2, 0.3: mean 0.25, std 0.071. Seed 3 lacks them, so its group shows n/a.
  const full = (seed: number, top5: number | null, mce: number, brier: number) =>
    run("mixup", "cifar10", seed, { top1: 0.8, ece: 0.05, nll: 0.5, imagesPerSecond: 10, top5, mce, brier });
  const both = buildResultsTable([full(1, 0.9, 0.1, 0.2), full(2, 0.94, 0.2, 0.3)]);
  assert.deepEqual(pick(rowFor(both, "mixup", "cifar10"), "top-5 (%)", "MCE (%)", "Brier"), [
    "92.00 ± 2.83",
    "15.00 ± 7.07",
    "0.250 ± 0.071",
  ]);
  const mixed = buildResultsTable([
    full(1, 0.9, 0.1, 0.2),
    run("mixup", "cifar10", 3, { top1: 0.8, ece: 0.05, nll: 0.5, imagesPerSecond: 10 }),
  ]);
  assert.deepEqual(pick(rowFor(mixed, "mixup", "cifar10"), "top-5 (%)", "MCE (%)", "Brier"), [
    "n/a",
    "n/a",
    "n/a",
  ]);
  const fewClasses = buildResultsTable([full(1, null, 0.1, 0.2)]);
  assert.equal(pick(rowFor(fewClasses, "mixup", "cifar10"), "top-5 (%)")[0], "n/a");
});

Deno.test("buildResultsTable rejects out-of-range optional metrics", () => {
  const metrics = { top1: 0.8, ece: 0.05, nll: 0.5, imagesPerSecond: 10 };
  assert.throws(
    () => buildResultsTable([run("a", "c", 1, { ...metrics, top5: 92 })]),
    /final\.top5 is 92, expected a number in \[0, 1\]\. Pass a fraction/,
  );
  assert.throws(
    () => buildResultsTable([run("a", "c", 1, { ...metrics, brier: 2.5 })]),
    /final\.brier is 2\.5, expected a number in \[0, 2\]/,
  );
});
