import assert from "node:assert/strict";
import {
  AGREEMENT_TOLERANCE,
  benchmarkImages,
  findDisagreements,
  findRegressions,
  measureImagesPerSecond,
  type NmiBenchEnvironment,
  type NmiFunction,
  parseNmiBenchOptions,
  runNmiBench,
  type SizeResult,
} from "./benchmark.ts";
import { availableNmiKernels, defaultNmiKernel, NMI_KERNELS } from "./nmi.ts";

/** The kernels that run in this process, which `--quick` compares with the reference. */
const RUNNING_KERNELS = availableNmiKernels();

/** A benchmark environment on a fake clock that the NMI functions advance, and the output it captured. */
interface FakeEnvironment {
  environment: NmiBenchEnvironment;
  output: string[];
  errors: string[];
}

/**
 * Returns an environment where the reference takes `referenceMs` and the kernel
 * `kernelMs` per image on a fake clock. Both return the image's first clean value,
 * plus `kernelError` for the kernel, so that no real NMI runs.
 */
function fakeEnvironment(referenceMs: number, kernelMs: number, kernelError = 0): FakeEnvironment {
  let now = 0;
  const output: string[] = [];
  const errors: string[] = [];
  const reference: NmiFunction = (clean) => {
    now += referenceMs;
    return clean[0];
  };
  const kernel: NmiFunction = (clean) => {
    now += kernelMs;
    return clean[0] + kernelError;
  };
  return {
    environment: {
      clock: () => now,
      reference,
      kernel,
      print: (line) => output.push(line),
      printError: (line) => errors.push(line),
      machine: () => Promise.resolve({ deno: "test", cpu_model: "fake" }),
    },
    output,
    errors,
  };
}

function sizeResult(side: number, reference: number, kernel: number): SizeResult {
  return {
    side,
    reference_images_per_s: reference,
    kernel_images_per_s: kernel,
    speedup: kernel / reference,
  };
}

Deno.test("parseNmiBenchOptions defaults", () => {
  assert.deepEqual(parseNmiBenchOptions([]), {
    json: false,
    quick: false,
    bins: 64,
    kernel: defaultNmiKernel(),
    help: false,
  });
});

Deno.test("parseNmiBenchOptions reads every option", () => {
  assert.deepEqual(parseNmiBenchOptions(["--json", "--quick", "--bins", "32", "--kernel", "typescript"]), {
    json: true,
    quick: true,
    bins: 32,
    kernel: "typescript",
    help: false,
  });
  assert.equal(parseNmiBenchOptions(["--bins=100"]).bins, 100);
  assert.equal(parseNmiBenchOptions(["-h"]).help, true);
});

Deno.test("parseNmiBenchOptions rejects unknown options", () => {
  assert.throws(
    () => parseNmiBenchOptions(["--fast"]),
    /Unknown option "--fast"\. nmi-bench accepts --json, --quick, --bins N, --kernel K and --help\./,
  );
  assert.throws(() => parseNmiBenchOptions(["-q"]), /Unknown option "-q"/);
  assert.throws(
    () => parseNmiBenchOptions(["224"]),
    /Unexpected argument "224"\. nmi-bench takes only options/,
  );
});

Deno.test("parseNmiBenchOptions rejects an unknown kernel", () => {
  assert.throws(
    () => parseNmiBenchOptions(["--kernel", "simd"]),
    /Invalid --kernel "simd"\. Use native, wasm or typescript\./,
  );
});

Deno.test("parseNmiBenchOptions rejects invalid bins", () => {
  assert.throws(
    () => parseNmiBenchOptions(["--bins", "1"]),
    /Invalid --bins "1"\. Use an integer in \[2, 4096\]/,
  );
  assert.throws(() => parseNmiBenchOptions(["--bins", "4097"]), /Invalid --bins "4097"/);
  assert.equal(parseNmiBenchOptions(["--bins", "4096"]).bins, 4096);
  assert.throws(() => parseNmiBenchOptions(["--bins", "abc"]), /Invalid --bins "abc"/);
  assert.throws(() => parseNmiBenchOptions(["--bins", "2.5"]), /Invalid --bins "2.5"/);
  for (const loose of ["1e3", "0x40", " 64 ", ""]) {
    assert.throws(() => parseNmiBenchOptions(["--bins", loose]), /Invalid --bins/, `--bins "${loose}"`);
  }
  assert.throws(() => parseNmiBenchOptions(["--bins"]), /argument missing/);
  assert.throws(() => parseNmiBenchOptions(["--json=yes"]), /does not take an argument/);
});

Deno.test("measureImagesPerSecond counts images on the clock", () => {
  const { environment } = fakeEnvironment(2, 2);
  const pairs = benchmarkImages(2, 2, 0);
  // Each round of 2 images takes 4 ms, so 3 rounds reach 10 ms: 6 images in 12 ms.
  const rate = measureImagesPerSecond(environment.reference, pairs, 8, 10, environment.clock);
  assert.equal(rate, 500);
});

Deno.test("measureImagesPerSecond rejects NaN results", () => {
  const pairs = benchmarkImages(2, 1, 0);
  let now = 0;
  const nanNmi: NmiFunction = () => {
    now += 1;
    return NaN;
  };
  assert.throws(() => measureImagesPerSecond(nanNmi, pairs, 8, 5, () => now), /an NMI was NaN/);
});

Deno.test("benchmarkImages are seeded and in range", () => {
  const first = benchmarkImages(5, 2, 3);
  const second = benchmarkImages(5, 2, 3);
  assert.equal(first.length, 2);
  assert.equal(first[0].clean.length, 75);
  assert.deepEqual(first[1].degraded, second[1].degraded);
  assert.notDeepEqual(first[0].clean, first[1].clean);
  for (const { clean, degraded } of first) {
    for (const value of [...clean, ...degraded]) assert.ok(value >= 0 && value <= 1, `value ${value}`);
  }
});

Deno.test("findRegressions lists sizes below the minimum", () => {
  const results = [sizeResult(32, 1000, 1500), sizeResult(224, 100, 300)];
  const messages = findRegressions(results, 2);
  assert.equal(messages.length, 1);
  assert.match(messages[0], /speedup 1\.50x at 32 x 32 is below the minimum 2x/);
  assert.match(messages[0], /kernel 1500 images\/s, reference 1000 images\/s/);
  assert.deepEqual(findRegressions(results, 1.5), []);
  assert.equal(
    findRegressions([sizeResult(32, 0, 0)], 2).length,
    1,
    "NaN speedup must count as a regression",
  );
});

Deno.test("findDisagreements lists differing pairs", () => {
  const pairs = benchmarkImages(3, 3, 1);
  assert.deepEqual(findDisagreements(3, pairs, 16, fakeEnvironment(1, 1).environment, "wasm"), []);
  const slightlyOff = fakeEnvironment(1, 1, AGREEMENT_TOLERANCE / 2).environment;
  assert.deepEqual(findDisagreements(3, pairs, 16, slightlyOff, "wasm"), []);
  const wrong = findDisagreements(3, pairs, 16, fakeEnvironment(1, 1, 1e-6).environment, "typescript");
  assert.equal(wrong.length, 3);
  assert.match(wrong[2], /^typescript kernel NMI .* differs from reference .* by more than 1e-9/);
  assert.match(wrong[2], /\(side 3, pair 2, 16 bins\)$/);
  const nan = fakeEnvironment(1, 1, NaN).environment;
  assert.equal(findDisagreements(3, pairs, 16, nan, "wasm").length, 3);
});

Deno.test("runNmiBench quick passes a fast kernel", async () => {
  const fake = fakeEnvironment(10, 1);
  assert.equal(await runNmiBench(["--quick"], fake.environment), 0);
  assert.deepEqual(fake.errors, []);
  const text = fake.output.join("\n");
  const kernels = RUNNING_KERNELS.length === 3
    ? "native, wasm and typescript"
    : RUNNING_KERNELS.join(" and ");
  assert.match(
    text,
    new RegExp(`agreement: 8 image pairs compared with the reference for kernels ${kernels},`),
  );
  assert.match(text, new RegExp(`kernel: ${defaultNmiKernel()} \\(`));
  for (const kernel of NMI_KERNELS.filter((name) => !RUNNING_KERNELS.includes(name))) {
    assert.match(text, new RegExp(`not checked: kernel ${kernel} cannot run here: `));
  }
  assert.match(text, /quick check: passed$/);
  assert.match(text, /32 x 32 +100 +1,000 +10\.0x/);
  assert.match(text, /224 x 224 +100 +1,000 +10\.0x/);
  assert.match(text, /cpu: fake/);
});

Deno.test("runNmiBench quick fails a slow kernel", async () => {
  const fake = fakeEnvironment(10, 6);
  assert.equal(await runNmiBench(["--quick"], fake.environment), 1);
  assert.equal(fake.errors.length, 2);
  assert.match(fake.errors[0], /FAILED: speedup 1\.67x at 32 x 32 is below the minimum 2x/);
  assert.match(fake.errors[1], /FAILED: speedup 1\.67x at 224 x 224/);
  assert.match(fake.output.join("\n"), /quick check: FAILED, 2 failed checks listed on stderr$/);
});

Deno.test("runNmiBench quick fails a wrong kernel", async () => {
  const fake = fakeEnvironment(10, 1, 1e-6);
  assert.equal(await runNmiBench(["--quick"], fake.environment), 1);
  // 4 pairs per size, 2 sizes, each kernel that runs here.
  assert.equal(fake.errors.length, 8 * RUNNING_KERNELS.length);
  RUNNING_KERNELS.forEach((kernel, index) => {
    assert.match(
      fake.errors[4 * index],
      new RegExp(`FAILED: ${kernel} kernel NMI .* differs from reference`),
    );
  });
});

Deno.test("runNmiBench without quick skips the checks", async () => {
  const fake = fakeEnvironment(10, 6, 1e-6);
  assert.equal(await runNmiBench([], fake.environment), 0);
  assert.deepEqual(fake.errors, []);
  assert.doesNotMatch(fake.output.join("\n"), /agreement|quick check/);
});

Deno.test("runNmiBench json has a results array", async () => {
  const fake = fakeEnvironment(8, 2);
  assert.equal(await runNmiBench(["--json", "--quick", "--bins", "16"], fake.environment), 0);
  assert.equal(fake.output.length, 1);
  const report = JSON.parse(fake.output[0]);
  assert.equal(report.mode, "quick");
  assert.equal(report.bins, 16);
  assert.equal(report.kernel, defaultNmiKernel());
  assert.deepEqual(report.checked_kernels, RUNNING_KERNELS);
  assert.deepEqual(report.results, [
    { side: 32, reference_images_per_s: 125, kernel_images_per_s: 500, speedup: 4 },
    { side: 224, reference_images_per_s: 125, kernel_images_per_s: 500, speedup: 4 },
  ]);
  assert.deepEqual(report.failures, []);
  assert.equal(report.machine.cpu_model, "fake");
});

Deno.test("runNmiBench rejects unknown options", async () => {
  const fake = fakeEnvironment(1, 1);
  assert.equal(await runNmiBench(["--quick", "--fast"], fake.environment), 2);
  assert.deepEqual(fake.output, []);
  assert.match(fake.errors[0], /nmi-bench: Unknown option "--fast"/);
  assert.match(fake.errors[0], /Run `deno task nmi-bench --help` for the options\./);
});

Deno.test("runNmiBench prints help", async () => {
  const fake = fakeEnvironment(1, 1);
  assert.equal(await runNmiBench(["--help"], fake.environment), 0);
  assert.match(fake.output[0], /^Usage: deno task nmi-bench \[--json\] \[--quick\] \[--bins N\]/);
});

Deno.test({
  name: "runNmiBench names the pass standing in for native",
  ignore: !RUNNING_KERNELS.includes("native"),
  fn: async () => {
    const fake = fakeEnvironment(10, 1);
    assert.equal(await runNmiBench(["--kernel", "native", "--bins", "300"], fake.environment), 0);
    const text = fake.output.join("\n");
    assert.match(
      text,
      /note: the native pass does not take 32 x 32 images with 300 bins, so the wasm pass ran/,
    );
    assert.match(text, /note: the native pass does not take 224 x 224 images with 300 bins/);
    const plain = fakeEnvironment(10, 1);
    assert.equal(await runNmiBench(["--kernel", "native"], plain.environment), 0);
    assert.doesNotMatch(plain.output.join("\n"), /note:/);
  },
});
