import assert from "node:assert/strict";
import { join } from "node:path";
import { BadImagesError, loadDataset } from "./mod.ts";
import { writeSolidImage } from "./_test_images.ts";

async function makeImageFolder(root: string): Promise<void> {
  for (const split of ["train", "val"]) {
    await Deno.mkdir(join(root, split, "only"), { recursive: true });
    await writeSolidImage(join(root, split, "only", "1.png"), 3, 3, [4, 5, 6]);
  }
}

async function makeCifar100(folder: string): Promise<void> {
  await Deno.mkdir(folder, { recursive: true });
  const record = new Uint8Array(3074);
  record.set([5, 55]);
  await Deno.writeFile(join(folder, "train.bin"), record);
  await Deno.writeFile(join(folder, "test.bin"), record);
}

Deno.test("loadDataset dispatches to the embedded subset", async () => {
  const cacheDir = await Deno.makeTempDir();

  const named = await loadDataset("embedded", { side: 32, cacheDir });
  const defaulted = await loadDataset(undefined, { side: 32, cacheDir });

  assert.equal(named.name, "cifar10-embedded");
  assert.equal(named.train.count, 2000);
  assert.equal(named.train.height, 32);
  assert.deepEqual(named.skippedImages, { train: 0, val: 0 });
  assert.equal(defaulted.name, "cifar10-embedded");
});

Deno.test("loadDataset dispatches to an image folder", async () => {
  const root = join(await Deno.makeTempDir(), "my-images");
  await makeImageFolder(root);

  const dataset = await loadDataset(root, { side: 2, cacheDir: false });

  assert.equal(dataset.name, "my-images");
  assert.deepEqual(dataset.classNames, ["only"]);
  assert.equal(dataset.train.width, 2);
});

Deno.test("loadDataset dispatches to CIFAR binaries", async () => {
  const root = await Deno.makeTempDir();
  await makeCifar100(join(root, "cifar-100-binary"));

  const fine = await loadDataset(root, { side: 32 });
  const coarse = await loadDataset(root, { side: 32, cifarLabels: "coarse" });

  assert.equal(fine.name, "cifar100");
  assert.deepEqual(Array.from(fine.train.labels), [55]);
  assert.equal(coarse.name, "cifar100-coarse");
  assert.deepEqual(Array.from(coarse.train.labels), [5]);
  assert.equal(fine.skippedImages, undefined);
});

Deno.test("loadDataset passes skipBadImages on", async () => {
  const root = join(await Deno.makeTempDir(), "my-images");
  await makeImageFolder(root);
  await writeSolidImage(join(root, "train", "only", "2.png"), 3, 3, [4, 5, 6]);
  await Deno.writeTextFile(join(root, "train", "only", "3.jpg"), "not a JPEG");

  await assert.rejects(loadDataset(root, { side: 2, cacheDir: false }), BadImagesError);
  const warn = console.warn;
  console.warn = () => {};
  try {
    const dataset = await loadDataset(root, { side: 2, cacheDir: false, skipBadImages: true });
    assert.equal(dataset.train.count, 2);
    assert.deepEqual(dataset.skippedImages, { train: 1, val: 0 });
  } finally {
    console.warn = warn;
  }
});

Deno.test("loadDataset rejects CIFAR at another side", async () => {
  const root = await Deno.makeTempDir();
  await makeCifar100(root);

  await assert.rejects(
    loadDataset(root, { side: 64 }),
    /has 32x32 images, but side 64 was requested; use side 32/,
  );
});

Deno.test("loadDataset rejects unknown specs", async () => {
  const root = await Deno.makeTempDir();
  const forms = /expected "embedded", a folder with train\/ and val\/ subfolders, or a folder with CIFAR/;
  await Deno.writeTextFile(join(root, "file.txt"), "x");
  await Deno.mkdir(join(root, "only-train", "train"), { recursive: true });

  const missing = join(root, "absent");
  await assert.rejects(
    loadDataset(missing, { side: 32 }),
    new RegExp(`${missing} is not a folder; ${forms.source}`),
  );
  await assert.rejects(loadDataset(join(root, "file.txt"), { side: 32 }), /file\.txt is not a folder/);
  await assert.rejects(
    loadDataset(join(root, "only-train"), { side: 32 }),
    /only-train has train\/ but no val\/ subfolder; an image folder needs both/,
  );
  await Deno.mkdir(join(root, "neither"));
  await assert.rejects(loadDataset(join(root, "neither"), { side: 32 }), forms);
  await assert.rejects(loadDataset("", { side: 32 }), /Empty dataset spec/);
});
