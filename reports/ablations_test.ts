import assert from "node:assert/strict";
import { type AblationRun, buildAblationTables } from "./ablations.ts";

const SETTINGS = {
  confidence: "nmi",
  nmiBins: 64,
  distortionProbability: 1,
  distortions: "diffusion+blur+dropout+mosaic",
  smoothingConvention: "k-1",
};

function run(seed: number, overrides: Partial<AblationRun> = {}, nmiBins = 64): AblationRun {
  return {
    method: "mi_adaptive",
    dataset: "cifar10",
    seed,
    backend: "tensorflow",
    baseSummary: "ResNet-18 width 0.25",
    settings: { ...SETTINGS, nmiBins },
    top1: 0.5,
    ece: 0.1,
    nll: 1.2,
    corruptionTop1: 0.4,
    ...overrides,
  };
}

Deno.test("buildAblationTables gives one row per setting with the mean over seeds", () => {
  const table = buildAblationTables([
    run(0, { top1: 0.5 }),
    run(1, { top1: 0.6 }),
    run(0, { top1: 0.7, corruptionTop1: undefined }, 16),
  ]);
  const lines = table.split("\n");
  assert.equal(lines[0], "`mi_adaptive` on cifar10, ResNet-18 width 0.25, backend tensorflow:");
  assert.match(lines[2], /^\| confidence \| NMI bins \| distortion probability/);
  assert.equal(
    lines[4],
    "| nmi | 16 | 1 | diffusion+blur+dropout+mosaic | k-1 | 1 | 70.00 ± – | 10.00 ± – | 1.200 ± – | n/a |",
  );
  assert.equal(
    lines[5],
    "| nmi | 64 | 1 | diffusion+blur+dropout+mosaic | k-1 | 2 | 55.00 ± 7.07 | 10.00 ± 0.00 | 1.200 ± 0.000 | 40.00 ± 0.00 |",
  );
});

Deno.test("buildAblationTables leaves out groups with one setting", () => {
  assert.equal(buildAblationTables([run(0), run(1)]), "");
  assert.equal(buildAblationTables([run(0), run(1, { baseSummary: "other" }, 16)]), "");
  assert.equal(buildAblationTables([]), "");
});
