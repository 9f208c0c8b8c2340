import assert from "node:assert/strict";
import { join } from "node:path";
import { type CheckpointIdentity, saveCheckpoint } from "./checkpoint.ts";
import { decideRunStart } from "./resume.ts";

const IDENTITY: CheckpointIdentity = {
  runId: "hard__tiny__seed0__0123456789",
  configHash: "cd".repeat(32),
  backend: "tensorflow",
  tfjsVersion: "4.22.0",
  datasetName: "tiny",
  trainImages: 12,
  valImages: 6,
  numClasses: 2,
};

/** Runs `test` on a temporary folder holding a checkpoint after epoch 1, saved with `identity`. */
async function withCheckpoint(
  test: (folder: string) => Promise<void>,
  identity: CheckpointIdentity = IDENTITY,
): Promise<void> {
  const folder = await Deno.makeTempDir({ prefix: "mials-resume-" });
  try {
    const history = [{
      epoch: 1,
      trainLoss: 0.5,
      learningRate: 0.1,
      trainImagesPerSecond: 9,
      epochSeconds: 2,
      valTop1: 0.5,
      valNll: 0.6,
      valEce: 0.2,
    }];
    const arrays = [{
      group: "weights" as const,
      name: "head.bias",
      shape: [2],
      values: new Float32Array([1, 2]),
    }];
    await saveCheckpoint(folder, { identity, completedEpochs: 1, history, arrays });
    await test(folder);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("decideRunStart resumes a matching checkpoint", () =>
  withCheckpoint(async (folder) => {
    const start = await decideRunStart(folder, IDENTITY, false);
    assert.equal(start.kind, "resume");
    assert.equal(start.kind === "resume" && start.checkpoint.manifest.completedEpochs, 1);
  }));

Deno.test("decideRunStart starts over with --force", () =>
  withCheckpoint(async (folder) => {
    assert.deepEqual(await decideRunStart(folder, IDENTITY, true), { kind: "fresh" });
  }));

Deno.test("decideRunStart starts an empty folder", async () => {
  const folder = await Deno.makeTempDir({ prefix: "mials-resume-" });
  try {
    assert.deepEqual(await decideRunStart(folder, IDENTITY, false), { kind: "fresh" });
    assert.deepEqual(await decideRunStart(join(folder, "absent"), IDENTITY, false), { kind: "fresh" });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("decideRunStart starts over for another setup", () =>
  withCheckpoint(async (folder) => {
    const cases: [Partial<CheckpointIdentity>, RegExp][] = [
      [{ configHash: "ef".repeat(32) }, /configHash "cdcd.*" in the checkpoint, "efef.*" now\)\.$/],
      [{ trainImages: 13 }, /trainImages 12 in the checkpoint, 13 now\)\.$/],
      [{ tfjsVersion: "4.23.0" }, /tfjsVersion "4\.22\.0" in the checkpoint, "4\.23\.0" now\)\.$/],
      [
        { tfjsVersion: "4.23.0", backend: "wasm" },
        /backend "tensorflow" in the checkpoint, "wasm" now; tfjsVersion .*\)\.$|tfjsVersion .*; backend .*\)\.$/,
      ],
    ];
    for (const [change, reason] of cases) {
      const start = await decideRunStart(folder, { ...IDENTITY, ...change }, false);
      assert.equal(start.kind, "fresh", JSON.stringify(change));
      assert.match(start.kind === "fresh" ? start.reason ?? "" : "", reason, JSON.stringify(change));
    }
  }));

Deno.test("decideRunStart keeps another backend's checkpoint", () =>
  withCheckpoint(async (folder) => {
    const start = await decideRunStart(folder, { ...IDENTITY, backend: "wasm" }, false);
    assert.equal(start.kind, "kept");
    assert.match(
      start.kind === "kept" ? start.reason : "",
      /^its checkpoint after epoch 1 was written with another setup \(backend "tensorflow" in the checkpoint, "wasm" now\)\. Pass --backend tensorflow to resume it, or pass --force to start the run over\.$/,
    );
    assert.equal(
      (await decideRunStart(folder, { ...IDENTITY, backend: "wasm" }, true)).kind,
      "fresh",
      "--force",
    );
  }));

Deno.test("decideRunStart starts over from a torn checkpoint", () =>
  withCheckpoint(async (folder) => {
    await Deno.writeFile(join(folder, "checkpoint-epoch0001.bin"), new Uint8Array(8));
    const start = await decideRunStart(folder, IDENTITY, false);
    assert.equal(start.kind, "fresh");
    assert.match(
      start.kind === "fresh" ? start.reason ?? "" : "",
      /^The checkpoint is invalid: .*torn or edited/,
    );
  }));

Deno.test("decideRunStart resumes a checkpoint written before the dataset digest", () =>
  withCheckpoint(async (folder) => {
    const start = await decideRunStart(folder, { ...IDENTITY, datasetDigest: "ab".repeat(32) }, false);

    assert.equal(start.kind, "resume");
  }));

const DIGEST_IDENTITY: CheckpointIdentity = { ...IDENTITY, datasetDigest: "ab".repeat(32) };

Deno.test("decideRunStart starts over when the images changed", () =>
  withCheckpoint(async (folder) => {
    const start = await decideRunStart(folder, { ...DIGEST_IDENTITY, datasetDigest: "cd".repeat(32) }, false);

    assert.equal(start.kind, "fresh");
    assert.match(
      start.kind === "fresh" ? start.reason ?? "" : "",
      /datasetDigest "abab.*" in the checkpoint/,
    );
  }, DIGEST_IDENTITY));

Deno.test("decideRunStart resumes a checkpoint written before oneDnn", () =>
  withCheckpoint(async (folder) => {
    for (const oneDnn of [false, true]) {
      const start = await decideRunStart(folder, { ...IDENTITY, oneDnn }, false);
      assert.equal(start.kind, "resume", `oneDnn ${oneDnn}`);
      assert.match(
        start.kind === "resume" ? start.note ?? "" : "",
        new RegExp(
          `predates the record of the oneDNN setting\\. Where it ran with oneDNN ${oneDnn ? "off" : "on"},`,
        ),
      );
    }
    const unrecorded = await decideRunStart(folder, IDENTITY, false);
    assert.equal(unrecorded.kind === "resume" ? unrecorded.note : "not resumed", undefined, "no oneDnn now");
  }));

Deno.test("decideRunStart keeps another oneDNN setting's checkpoint", () =>
  withCheckpoint(async (folder) => {
    const start = await decideRunStart(folder, { ...IDENTITY, oneDnn: true }, false);
    assert.equal(start.kind, "kept");
    assert.match(
      start.kind === "kept" ? start.reason : "",
      /\(oneDnn false in the checkpoint, true now\)\. Set TF_ENABLE_ONEDNN_OPTS=0 to resume it, or pass --force/,
    );
    const wasm = await decideRunStart(folder, { ...IDENTITY, backend: "wasm", oneDnn: undefined }, false);
    assert.match(
      wasm.kind === "kept" ? wasm.reason : "",
      /Pass --backend tensorflow and set TF_ENABLE_ONEDNN_OPTS=0 to resume it/,
    );
    const resumed = await decideRunStart(folder, { ...IDENTITY, oneDnn: false }, false);
    assert.equal(resumed.kind, "resume");
    assert.equal(resumed.kind === "resume" ? resumed.note : "not resumed", undefined, "no note");
  }, { ...IDENTITY, oneDnn: false }));

Deno.test("decideRunStart starts over for an unknown backend", () =>
  withCheckpoint(async (folder) => {
    const start = await decideRunStart(folder, IDENTITY, false);
    assert.equal(start.kind, "fresh");
    assert.match(start.kind === "fresh" ? start.reason ?? "" : "", /backend "Tensorflow" in the checkpoint/);
  }, { ...IDENTITY, backend: "Tensorflow" }));

Deno.test("decideRunStart starts over for an invalid oneDnn", () =>
  withCheckpoint(async (folder) => {
    const start = await decideRunStart(folder, { ...IDENTITY, oneDnn: true }, false);
    assert.equal(start.kind, "fresh");
    assert.match(
      start.kind === "fresh" ? start.reason ?? "" : "",
      /^The checkpoint is invalid: .*checkpoint\.json: identity\.oneDnn "true" is not true, false or absent\.$/,
    );
  }, { ...IDENTITY, oneDnn: "true" as unknown as boolean }));
