import assert from "node:assert/strict";
import { defaultWorkerCount } from "../pipeline/mod.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";
import { listMatrix } from "./bench.ts";
import { BENCH_USAGE, type BenchPlan, parseBenchOptions } from "./bench_options.ts";
import { type RunConfig, summarizeConfig } from "./config.ts";

function parsePlan(args: string[]): BenchPlan {
  const plan = parseBenchOptions(args);
  assert.notEqual(plan, "help");
  return plan as BenchPlan;
}

Deno.test("bench options default the baselines", () => {
  const options = parsePlan([]).methodOptions;
  assert.equal(options.labelSmoothingEpsilon, 0.1);
  assert.equal(options.mixupAlpha, 0.8);
  assert.equal(options.cutmixAlpha, 1);
  assert.equal(options.randAugmentNumOps, 2);
  assert.equal(options.randAugmentMagnitude, 9);
});

Deno.test("bench options parse the baselines", () => {
  const options = parsePlan([
    "--ls-epsilon",
    "0.2",
    "--mixup-alpha",
    "0.4",
    "--cutmix-alpha",
    "2",
    "--randaugment-n",
    "3",
    "--randaugment-m",
    "30",
  ]).methodOptions;
  assert.equal(options.labelSmoothingEpsilon, 0.2);
  assert.equal(options.mixupAlpha, 0.4);
  assert.equal(options.cutmixAlpha, 2);
  assert.equal(options.randAugmentNumOps, 3);
  assert.equal(options.randAugmentMagnitude, 30);
});

Deno.test("bench options reject bad baseline values", () => {
  const cases: [string[], RegExp][] = [
    [["--ls-epsilon", "1"], /Invalid --ls-epsilon "1": expected a number in \[0, 1\)/],
    [["--ls-epsilon=-0.1"], /Invalid --ls-epsilon "-0.1"/],
    [["--ls-epsilon", "high"], /Invalid --ls-epsilon "high": expected a number/],
    [["--mixup-alpha", "0"], /Invalid --mixup-alpha "0": expected a number above 0/],
    [["--cutmix-alpha=-1"], /Invalid --cutmix-alpha "-1"/],
    [["--randaugment-n", "1.5"], /Invalid --randaugment-n "1.5": expected an integer of 0 or more/],
    [["--randaugment-m", "31"], /Invalid --randaugment-m "31": expected an integer in \[0, 30\]/],
    [["--randaugment-m=-1"], /Invalid --randaugment-m "-1"/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseBenchOptions(args), message, args.join(" "));
});

Deno.test("bench options accept compositions", () => {
  const plan = parsePlan(["--method", "randaugment+mi_adaptive,mixup+mi_adaptive"]);
  assert.deepEqual(plan.methods, ["randaugment+mi_adaptive", "mixup+mi_adaptive"]);
  assert.throws(
    () => parseBenchOptions(["--method", "hard+mixup"]),
    /Invalid method combination "hard\+mixup".*Valid combinations: .*randaugment\+label_smoothing/,
  );
});

Deno.test("bench usage lists the baseline options", () => {
  for (
    const option of ["--ls-epsilon", "--mixup-alpha", "--cutmix-alpha", "--randaugment-n", "--randaugment-m"]
  ) {
    assert.ok(BENCH_USAGE.includes(option), option);
  }
  assert.ok(BENCH_USAGE.split("\n").every((line) => line.length <= 110), "help lines fit in 110 columns");
});

function configFor(method: string): RunConfig {
  const plan = parsePlan([]);
  return { method, dataset: "embedded", seed: 0, ...plan.training, methodOptions: DEFAULT_METHOD_OPTIONS };
}

Deno.test("summarizeConfig names the options a method uses", () => {
  const base = "ResNet-18 width 0.25, 32 px, 100 train images, 15 epochs, batch 128, lr 0.1";
  assert.equal(summarizeConfig(configFor("mi_adaptive"), 100), base);
  assert.equal(summarizeConfig(configFor("label_smoothing"), 100), `${base}, label smoothing epsilon 0.1`);
  assert.equal(summarizeConfig(configFor("cutmix"), 100), `${base}, CutMix alpha 1`);
  assert.equal(
    summarizeConfig(configFor("randaugment+label_smoothing"), 100),
    `${base}, RandAugment N 2 M 9, label smoothing epsilon 0.1`,
  );
  assert.equal(summarizeConfig(configFor("mixup+mi_adaptive"), 100), `${base}, mixup alpha 0.8`);
});

Deno.test("bench options reject bad epochs and batch sizes", () => {
  const cases: [string[], RegExp][] = [
    [["--epochs", "0"], /Invalid --epochs "0": expected a positive integer/],
    [["--epochs=-3"], /Invalid --epochs "-3": expected a positive integer/],
    [["--epochs", "1.5"], /Invalid --epochs "1\.5": expected a positive integer/],
    [["--epochs", "ten"], /Invalid --epochs "ten": expected a number/],
    [["--epochs", "0x2"], /Invalid --epochs "0x2": expected a number in decimal notation/],
    [["--width", "0b1"], /Invalid --width "0b1": expected a number in decimal notation/],
    [["--batch-size", "99999999999999999999"], /expected a positive integer up to 2\^53 - 1/],
    [["--epochs", ""], /Invalid --epochs "": expected a number/],
    [["--batch-size", "0"], /Invalid --batch-size "0": expected a positive integer/],
    [["--batch-size", "2.5"], /Invalid --batch-size "2\.5": expected a positive integer/],
    [["--batch-size", "Infinity"], /Invalid --batch-size "Infinity": expected a number/],
    [["--method", "mixupp"], /Unknown method "mixupp"/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseBenchOptions(args), message, args.join(" "));
});

Deno.test("bench options parse --shard", () => {
  assert.equal(parsePlan([]).shard, undefined);
  assert.deepEqual(parsePlan(["--shard", "2/3"]).shard, { index: 2, count: 3 });
  assert.throws(() => parseBenchOptions(["--shard", "0/3"]), /Invalid --shard "0\/3"/);
  assert.throws(() => parseBenchOptions(["--shard", "4/3"]), /Invalid --shard "4\/3"/);
  assert.throws(() => parseBenchOptions(["--shard", "2of3"]), /Invalid --shard "2of3"/);
  assert.ok(BENCH_USAGE.includes("--shard I/N"));
});

Deno.test("listMatrix orders methods outer, seeds inner", () => {
  const plan = parsePlan(["--method", "mi_adaptive,hard", "--seeds", "2,0"]);
  assert.deepEqual(listMatrix(plan), [
    { method: "mi_adaptive", seed: 2 },
    { method: "mi_adaptive", seed: 0 },
    { method: "hard", seed: 2 },
    { method: "hard", seed: 0 },
  ]);
});

Deno.test("bench options parse --skip-bad-images", () => {
  assert.equal(parsePlan([]).skipBadImages, false);
  assert.equal(parsePlan(["--skip-bad-images"]).skipBadImages, true);
  assert.match(BENCH_USAGE, /--skip-bad-images/);
});

Deno.test("bench options reject out-of-range values", () => {
  const cases: [string[], RegExp][] = [
    [["--seeds", "4294967296"], /Invalid --seeds "4294967296": expected an integer in \[0, 4294967295\]/],
    [["--side", "4097"], /Invalid --side "4097"/],
    [["--side", "4"], /Invalid --side "4"/],
    [["--nmi-bins", "100000000"], /Invalid --nmi-bins/],
    [["--width", "1e9"], /Invalid --width "1e9"/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseBenchOptions(args), message, args.join(" "));
  assert.deepEqual(parsePlan(["--seeds", "4294967295,0"]).seeds, [4294967295, 0]);
});

Deno.test("bench options parse --confidence and the robustness plan", () => {
  assert.equal(parsePlan([]).methodOptions.confidence, "nmi");
  assert.equal(parsePlan(["--confidence", "psnr"]).methodOptions.confidence, "psnr");
  assert.throws(
    () => parsePlan(["--confidence", "mse"]),
    /Unknown confidence measure "mse"; use one of nmi, ssim, psnr/,
  );
  const plan = parsePlan([
    "--corruptions",
    "held_out",
    "--distortion-levels",
    "0.3",
    "--robustness-per-class",
    "10",
  ]);
  assert.deepEqual(plan.robustness.corruptions, ["speckle_noise", "gaussian_blur", "spatter", "saturate"]);
  assert.deepEqual(plan.robustness.distortionLevels, [0.3]);
  assert.equal(plan.robustness.valPerClass, 10);
  assert.match(BENCH_USAGE, /--confidence M/);
  assert.match(BENCH_USAGE, /--corruptions LIST/);
});

Deno.test("--workers and --prefetch set the batch pool, and --prefetch needs workers", () => {
  assert.deepEqual(parsePlan([]).pipeline, { workers: defaultWorkerCount() });
  assert.deepEqual(parsePlan(["--workers", "3", "--prefetch", "5"]).pipeline, { workers: 3, prefetch: 5 });
  assert.deepEqual(parsePlan(["--workers", "0"]).pipeline, { workers: 0 });
  assert.throws(() => parsePlan(["--workers=-1"]), /--workers "-1"/);
  assert.throws(
    () => parsePlan(["--workers", "65"]),
    /Invalid --workers "65": expected an integer in \[0, 64\]/,
  );
  assert.throws(() => parsePlan(["--workers", "2", "--prefetch", "0"]), /--prefetch "0"/);
  assert.throws(
    () => parsePlan(["--workers", "0", "--prefetch", "2"]),
    /--prefetch 2 needs workers; drop it or set --workers to 1 or more/,
  );
});

Deno.test("--stream takes on, off or auto, and auto is the default", () => {
  assert.equal(parsePlan([]).stream, "auto");
  assert.equal(parsePlan(["--stream", "on"]).stream, true);
  assert.equal(parsePlan(["--stream", "off"]).stream, false);
  assert.throws(() => parsePlan(["--stream", "yes"]), /Invalid --stream "yes": expected on, off or auto/);
});

Deno.test("--results and --cache-dir reject an empty path", () => {
  assert.throws(() => parsePlan(["--results", ""]), /Invalid --results "": expected a folder path/);
  assert.throws(() => parsePlan(["--cache-dir", " "]), /Invalid --cache-dir " ": expected a folder path/);
});
