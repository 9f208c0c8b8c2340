import assert from "node:assert/strict";
import { join } from "node:path";
import { type CifarBinaryOptions, findCifarBinaryFiles, loadCifarBinary } from "./cifar_binary.ts";

/** Pixel byte `offset` (CHW order, 0..3071) of the record with this seed. */
function chwByte(seed: number, offset: number): number {
  return (seed * 7 + offset * 13 + (offset >> 10) * 50) % 256;
}

/** Builds CIFAR records: label bytes followed by 3072 CHW pixel bytes from `chwByte`. */
function makeRecords(records: { labels: number[]; seed: number }[]): Uint8Array {
  const labelBytes = records[0]?.labels.length ?? 1;
  const out = new Uint8Array(records.length * (labelBytes + 3072));
  records.forEach((record, r) => {
    const start = r * (labelBytes + 3072);
    out.set(record.labels, start);
    for (let offset = 0; offset < 3072; offset++) {
      out[start + labelBytes + offset] = chwByte(record.seed, offset);
    }
  });
  return out;
}

/** Checks image `index` of `images` against the CHW source of `seed`, pixel by pixel. */
function assertHwcImage(images: Uint8Array, index: number, seed: number): void {
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      for (let c = 0; c < 3; c++) {
        const actual = images[index * 3072 + (y * 32 + x) * 3 + c];
        const expected = chwByte(seed, c * 1024 + y * 32 + x);
        if (actual !== expected) {
          assert.fail(`image ${index} y=${y} x=${x} c=${c}: ${actual} !== ${expected}`);
        }
      }
    }
  }
}

async function writeCifar10(folder: string): Promise<void> {
  await Deno.mkdir(folder, { recursive: true });
  for (let batch = 1; batch <= 5; batch++) {
    const records = [{ labels: [batch], seed: batch * 10 }, { labels: [9 - batch], seed: batch * 10 + 1 }];
    await Deno.writeFile(join(folder, `data_batch_${batch}.bin`), makeRecords(records));
  }
  await Deno.writeFile(join(folder, "test_batch.bin"), makeRecords([{ labels: [0], seed: 99 }]));
}

async function writeCifar100(folder: string): Promise<void> {
  await Deno.mkdir(folder, { recursive: true });
  const train = [{ labels: [3, 42], seed: 1 }, { labels: [19, 99], seed: 2 }, { labels: [0, 0], seed: 3 }];
  await Deno.writeFile(join(folder, "train.bin"), makeRecords(train));
  await Deno.writeFile(join(folder, "test.bin"), makeRecords([{ labels: [7, 15], seed: 4 }]));
}

Deno.test("loadCifarBinary reads CIFAR-10 as HWC", async () => {
  const folder = await Deno.makeTempDir();
  await writeCifar10(folder);
  const names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
  await Deno.writeTextFile(join(folder, "batches.meta.txt"), names.join("\n") + "\n\n\n");

  const dataset = await loadCifarBinary(folder);

  assert.equal(dataset.name, "cifar10");
  assert.equal(dataset.source, folder);
  assert.deepEqual(dataset.classNames, names);
  assert.deepEqual(Array.from(dataset.train.labels), [1, 8, 2, 7, 3, 6, 4, 5, 5, 4]);
  assert.deepEqual(Array.from(dataset.val.labels), [0]);
  assert.equal(dataset.train.count, 10);
  assert.equal(dataset.train.height, 32);
  assert.equal(dataset.train.width, 32);
  assert.equal(dataset.train.images.length, 10 * 3072);
  const trainSeeds = [10, 11, 20, 21, 30, 31, 40, 41, 50, 51];
  trainSeeds.forEach((seed, index) => assertHwcImage(dataset.train.images, index, seed));
  assertHwcImage(dataset.val.images, 0, 99);
});

Deno.test("loadCifarBinary finds the archive subfolder", async () => {
  const root = await Deno.makeTempDir();
  await writeCifar10(join(root, "cifar-10-batches-bin"));

  const dataset = await loadCifarBinary(root);

  assert.equal(dataset.source, join(root, "cifar-10-batches-bin"));
  assert.deepEqual(dataset.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
});

Deno.test("loadCifarBinary reads CIFAR-100 fine labels", async () => {
  const root = await Deno.makeTempDir();
  const folder = join(root, "cifar-100-binary");
  await writeCifar100(folder);
  const fineNames = Array.from({ length: 100 }, (_, i) => `fine${i}`);
  await Deno.writeTextFile(join(folder, "fine_label_names.txt"), fineNames.join("\r\n"));

  const dataset = await loadCifarBinary(root);

  assert.equal(dataset.name, "cifar100");
  assert.deepEqual(dataset.classNames, fineNames);
  assert.deepEqual(Array.from(dataset.train.labels), [42, 99, 0]);
  assert.deepEqual(Array.from(dataset.val.labels), [15]);
  [1, 2, 3].forEach((seed, index) => assertHwcImage(dataset.train.images, index, seed));
  assertHwcImage(dataset.val.images, 0, 4);
});

Deno.test("loadCifarBinary reads CIFAR-100 coarse labels", async () => {
  const folder = await Deno.makeTempDir();
  await writeCifar100(folder);
  const coarseNames = Array.from({ length: 20 }, (_, i) => `coarse${i}`);
  await Deno.writeTextFile(join(folder, "coarse_label_names.txt"), coarseNames.join("\n"));

  const dataset = await loadCifarBinary(folder, { labels: "coarse" });

  assert.equal(dataset.name, "cifar100-coarse");
  assert.deepEqual(dataset.classNames, coarseNames);
  assert.deepEqual(Array.from(dataset.train.labels), [3, 19, 0]);
  assert.deepEqual(Array.from(dataset.val.labels), [7]);
  [1, 2, 3].forEach((seed, index) => assertHwcImage(dataset.train.images, index, seed));
});

Deno.test("loadCifarBinary rejects a wrong file size", async () => {
  const folder = await Deno.makeTempDir();
  await writeCifar10(folder);
  await Deno.writeFile(join(folder, "data_batch_3.bin"), new Uint8Array(3073 * 2 + 5));

  await assert.rejects(loadCifarBinary(folder), (error: Error) => {
    assert.match(error.message, /Invalid CIFAR file .*data_batch_3\.bin: 6151 bytes/);
    assert.match(error.message, /multiple of the 3073-byte record/);
    return true;
  });
});

Deno.test("loadCifarBinary rejects CIFAR-10 records in CIFAR-100 names", async () => {
  const folder = await Deno.makeTempDir();
  await Deno.writeFile(join(folder, "train.bin"), new Uint8Array(3073 * 2));
  await Deno.writeFile(join(folder, "test.bin"), new Uint8Array(3074));

  await assert.rejects(loadCifarBinary(folder), /train\.bin: 6146 bytes .* 3074-byte record/);
});

Deno.test("loadCifarBinary rejects an empty file", async () => {
  const folder = await Deno.makeTempDir();
  await writeCifar100(folder);
  await Deno.writeFile(join(folder, "test.bin"), new Uint8Array());

  await assert.rejects(loadCifarBinary(folder), /test\.bin: 0 bytes is not a positive multiple/);
});

Deno.test("loadCifarBinary rejects a label out of range", async () => {
  const folder = await Deno.makeTempDir();
  await writeCifar10(folder);
  await Deno.writeFile(
    join(folder, "test_batch.bin"),
    makeRecords([{ labels: [0], seed: 1 }, { labels: [10], seed: 2 }]),
  );

  await assert.rejects(loadCifarBinary(folder), /test_batch\.bin: record 1 has label 10, expected 0\.\.9/);
});

Deno.test("loadCifarBinary rejects a bad names file", async () => {
  const folder = await Deno.makeTempDir();
  await writeCifar10(folder);
  await Deno.writeTextFile(join(folder, "batches.meta.txt"), "cat\ndog\n");

  await assert.rejects(loadCifarBinary(folder), /batches\.meta\.txt: 2 names, expected 10/);
});

Deno.test("loadCifarBinary rejects an invalid label kind", async () => {
  const folder = await Deno.makeTempDir();
  await writeCifar100(folder);

  // A caller without type checks, such as a command-line parser, can pass any string.
  const options = { labels: "medium" } as unknown as CifarBinaryOptions;

  await assert.rejects(loadCifarBinary(folder, options), /Invalid CIFAR-100 label kind "medium"/);
});

Deno.test("findCifarBinaryFiles reports missing batches", async () => {
  const folder = await Deno.makeTempDir();
  await writeCifar10(folder);
  await Deno.remove(join(folder, "data_batch_2.bin"));
  await Deno.remove(join(folder, "test_batch.bin"));

  await assert.rejects(
    findCifarBinaryFiles(folder),
    /Incomplete CIFAR-10 binary files in .*: missing data_batch_2\.bin, test_batch\.bin/,
  );
});

Deno.test("findCifarBinaryFiles returns null without CIFAR files", async () => {
  const folder = await Deno.makeTempDir();
  await Deno.writeTextFile(join(folder, "notes.txt"), "x");

  assert.equal(await findCifarBinaryFiles(folder), null);
  await assert.rejects(loadCifarBinary(folder), /No CIFAR binary files in .*: expected data_batch_1\.bin/);
});
