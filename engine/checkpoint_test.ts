import assert from "node:assert/strict";
import { join } from "node:path";
import type { ChunkWriter } from "./atomic_write.ts";
import {
  type CheckpointContents,
  type CheckpointIdentity,
  readCheckpoint,
  removeCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
import type { EpochMetrics } from "./epoch_tracker.ts";
import type { NamedArray } from "./training_state.ts";

const IDENTITY: CheckpointIdentity = {
  runId: "hard__tiny__seed0__0123456789",
  configHash: "ab".repeat(32),
  backend: "cpu",
  tfjsVersion: "4.22.0",
  datasetName: "tiny",
  trainImages: 12,
  valImages: 6,
  numClasses: 2,
};

function metricsOf(epoch: number): EpochMetrics {
  return {
    epoch,
    trainLoss: 1 / epoch,
    learningRate: 0.1,
    trainImagesPerSecond: 10,
    epochSeconds: 1,
    valTop1: 0.5,
    valNll: 0.7,
    valEce: 0.1,
  };
}

/** Arrays whose values depend on the epoch and include values that rounding would change. */
function arraysOf(epoch: number): NamedArray[] {
  return [
    {
      group: "weights",
      name: "stem.conv",
      shape: [2, 3],
      values: new Float32Array([1, -2, 0.1, 3e-39, epoch, NaN]),
    },
    {
      group: "batchNormStatistics",
      name: "stem.bn.mean",
      shape: [3],
      values: new Float32Array([0.3, 1e30, -0]),
    },
    { group: "momentum", name: "stem.conv", shape: [2, 3], values: new Float32Array(6).fill(epoch / 7) },
  ];
}

function contentsOf(epoch: number): CheckpointContents {
  const history = Array.from({ length: epoch }, (_, i) => metricsOf(i + 1));
  return { identity: IDENTITY, completedEpochs: epoch, history, arrays: arraysOf(epoch) };
}

function listFolder(folder: string): string[] {
  return [...Deno.readDirSync(folder)].map((entry) => entry.name).sort();
}

async function withFolder(test: (folder: string) => Promise<void>): Promise<void> {
  const folder = await Deno.makeTempDir({ prefix: "mials-checkpoint-" });
  try {
    await test(folder);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** Returns a writer that fails as a full disk does, for the writes whose first chunk `matches`. */
function failingWrites(matches: (bytes: Uint8Array) => boolean): ChunkWriter {
  return async (file, bytes) => {
    if (matches(bytes)) {
      await file.write(bytes.subarray(0, bytes.length >> 1));
      throw new Error("No space left on device (os error 28)");
    }
    return await file.write(bytes);
  };
}

const isManifest = (bytes: Uint8Array) => bytes[0] === 0x7b;

Deno.test("checkpoint round-trips every value", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(2));
    const read = await readCheckpoint(folder);
    assert.equal(read.status, "valid");
    if (read.status !== "valid") return;
    assert.equal(read.checkpoint.manifest.completedEpochs, 2);
    assert.deepEqual(read.checkpoint.manifest.identity, IDENTITY);
    assert.deepEqual(read.checkpoint.manifest.history, contentsOf(2).history);
    assert.deepEqual(read.checkpoint.arrays, arraysOf(2));
    assert.deepEqual(listFolder(folder), ["checkpoint-epoch0002.bin", "checkpoint.json"]);
  }));

Deno.test("checkpoint keeps only the newest bin", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(1));
    await saveCheckpoint(folder, contentsOf(2));
    assert.deepEqual(listFolder(folder), ["checkpoint-epoch0002.bin", "checkpoint.json"]);
    const read = await readCheckpoint(folder);
    assert.equal(read.status === "valid" && read.checkpoint.manifest.completedEpochs, 2);
  }));

Deno.test("checkpoint without manifest is missing", () =>
  withFolder(async (folder) => {
    assert.deepEqual(await readCheckpoint(folder), { status: "missing" });
  }));

Deno.test("checkpoint survives a kill between its writes", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(1));
    // The bin of epoch 2 is on disk, its manifest never made it.
    await Deno.writeFile(join(folder, "checkpoint-epoch0002.bin"), new Uint8Array(40));
    const read = await readCheckpoint(folder);
    assert.equal(read.status, "valid");
    assert.equal(read.status === "valid" && read.checkpoint.manifest.completedEpochs, 1);
  }));

Deno.test("checkpoint detects an edited bin", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(1));
    const binPath = join(folder, "checkpoint-epoch0001.bin");
    const bytes = await Deno.readFile(binPath);
    bytes[5] ^= 1;
    await Deno.writeFile(binPath, bytes);
    const read = await readCheckpoint(folder);
    assert.equal(read.status, "invalid");
    assert.match(read.status === "invalid" ? read.reason : "", /checkpoint-epoch0001\.bin .*torn or edited/);
  }));

Deno.test("checkpoint detects a missing bin", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(1));
    await Deno.remove(join(folder, "checkpoint-epoch0001.bin"));
    const read = await readCheckpoint(folder);
    assert.equal(read.status, "invalid");
    assert.match(read.status === "invalid" ? read.reason : "", /checkpoint-epoch0001\.bin.*does not exist/);
  }));

Deno.test("checkpoint rejects bad manifests", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(1));
    const manifestPath = join(folder, "checkpoint.json");
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    const cases: [string, (copy: Record<string, unknown>) => void, RegExp][] = [
      ["format", (copy) => (copy.format = "pickle"), /format pickle version 1 is not mials-checkpoint/],
      ["history", (copy) => (copy.history = []), /history has 0 epochs, not completedEpochs = 1/],
      [
        "bin path",
        (copy) => (copy.bin = { ...manifest.bin, file: "../x.bin" }),
        /"\.\.\/x\.bin" is not of the form/,
      ],
      ["bin size", (copy) => (copy.bin = { ...manifest.bin, bytes: 4 }), /the tensors take 60 bytes/],
    ];
    for (const [name, edit, reason] of cases) {
      const copy = structuredClone(manifest);
      edit(copy);
      await Deno.writeTextFile(manifestPath, JSON.stringify(copy));
      const read = await readCheckpoint(folder);
      assert.equal(read.status, "invalid", name);
      assert.match(read.status === "invalid" ? read.reason : "", reason, name);
    }
    await Deno.writeTextFile(manifestPath, "{ torn");
    const torn = await readCheckpoint(folder);
    assert.match(torn.status === "invalid" ? torn.reason : "", /checkpoint\.json is not valid JSON/);
  }));

Deno.test("checkpoint bin write fails cleanly", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(1));
    await assert.rejects(
      saveCheckpoint(folder, contentsOf(2), { writeChunk: failingWrites((bytes) => !isManifest(bytes)) }),
      /Writing .*checkpoint-epoch0002\.bin failed: No space left on device/,
    );
    assert.deepEqual(listFolder(folder), ["checkpoint-epoch0001.bin", "checkpoint.json"]);
    const read = await readCheckpoint(folder);
    assert.equal(read.status === "valid" && read.checkpoint.manifest.completedEpochs, 1);
  }));

Deno.test("checkpoint manifest write fails cleanly", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(1));
    await assert.rejects(
      saveCheckpoint(folder, contentsOf(2), { writeChunk: failingWrites(isManifest) }),
      /Writing .*checkpoint\.json failed: No space left on device/,
    );
    assert.deepEqual(listFolder(folder), ["checkpoint-epoch0001.bin", "checkpoint.json"]);
    const read = await readCheckpoint(folder);
    assert.equal(read.status === "valid" && read.checkpoint.manifest.completedEpochs, 1);
  }));

Deno.test("removeCheckpoint deletes manifest and bins", () =>
  withFolder(async (folder) => {
    await saveCheckpoint(folder, contentsOf(1));
    await Deno.writeFile(join(folder, "checkpoint-epoch0002.bin"), new Uint8Array(4));
    await Deno.writeTextFile(join(folder, "config.json"), "{}");
    await removeCheckpoint(folder);
    assert.deepEqual(listFolder(folder), ["config.json"]);
  }));
