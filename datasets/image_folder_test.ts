import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { BadImagesError, type ImageFolderProgress, loadImageFolder } from "./image_folder.ts";
import { writeRawImage, writeSolidImage } from "./_test_images.ts";

/** Builds a dataset with one image per format and colour type; returns its root. */
async function makeMixedDataset(): Promise<string> {
  const root = join(await Deno.makeTempDir(), "tiny-set");
  for (const folder of ["train/n02_dog", "train/n01_cat", "val/n01_cat", "val/n02_dog"]) {
    await Deno.mkdir(join(root, folder), { recursive: true });
  }
  await writeSolidImage(join(root, "train/n01_cat/a.png"), 4, 4, [10, 20, 30]);
  await writeSolidImage(join(root, "train/n01_cat/b.JPG"), 4, 4, [200, 100, 50]);
  const rgba = new Uint8Array(4 * 4 * 4);
  for (let i = 0; i < 16; i++) rgba.set([90, 80, 70, 128], i * 4);
  await writeRawImage(join(root, "train/n02_dog/rgba.png"), {
    width: 4,
    height: 4,
    channels: 4,
    pixels: rgba,
  });
  const grey = new Uint8Array(4 * 4).fill(77);
  await writeRawImage(join(root, "train/n02_dog/grey.png"), {
    width: 4,
    height: 4,
    channels: 1,
    pixels: grey,
  });
  await writeSolidImage(join(root, "val/n01_cat/v.webp"), 8, 8, [0, 255, 0]);
  await writeSolidImage(join(root, "val/n02_dog/v.png"), 4, 4, [5, 6, 7]);
  await Deno.writeTextFile(join(root, "Labels.json"), JSON.stringify({ n01_cat: "cat", n02_dog: "dog" }));
  return root;
}

function pixelAt(images: Uint8Array, index: number, side: number): number[] {
  return Array.from(images.subarray(index * side * side * 3, index * side * side * 3 + 3));
}

Deno.test("loadImageFolder decodes mixed formats", async () => {
  const root = await makeMixedDataset();
  const cacheDir = await Deno.makeTempDir();

  const dataset = await loadImageFolder(root, { side: 4, cacheDir });

  assert.equal(dataset.name, "tiny-set");
  assert.equal(dataset.source, root);
  assert.deepEqual(dataset.classNames, ["cat", "dog"]);
  assert.deepEqual(Array.from(dataset.train.labels), [0, 0, 1, 1]);
  assert.deepEqual(Array.from(dataset.val.labels), [0, 1]);
  assert.equal(dataset.train.count, 4);
  assert.equal(dataset.train.images.length, 4 * 4 * 4 * 3);
  assert.equal(dataset.val.height, 4);
  assert.equal(dataset.val.width, 4);

  assert.deepEqual(pixelAt(dataset.train.images, 0, 4), [10, 20, 30], "RGB PNG");
  const jpegPixel = pixelAt(dataset.train.images, 1, 4);
  [200, 100, 50].forEach((value, c) => assert.ok(Math.abs(jpegPixel[c] - value) <= 4, `JPEG ${jpegPixel}`));
  assert.deepEqual(pixelAt(dataset.train.images, 2, 4), [77, 77, 77], "grey PNG sorts before rgba");
  assert.deepEqual(pixelAt(dataset.train.images, 3, 4), [90, 80, 70], "RGBA PNG");
  const webpPixel = pixelAt(dataset.val.images, 0, 4);
  [0, 255, 0].forEach((value, c) => assert.ok(Math.abs(webpPixel[c] - value) <= 4, `WebP ${webpPixel}`));
});

Deno.test("loadImageFolder uses folder names without Labels.json", async () => {
  const root = await makeMixedDataset();
  await Deno.remove(join(root, "Labels.json"));

  const dataset = await loadImageFolder(root, { side: 2, cacheDir: false });

  assert.deepEqual(dataset.classNames, ["n01_cat", "n02_dog"]);
});

Deno.test("loadImageFolder reads the cache on a second load", async () => {
  const root = await makeMixedDataset();
  const cacheDir = await Deno.makeTempDir();
  const firstEvents: ImageFolderProgress[] = [];
  const first = await loadImageFolder(root, {
    side: 4,
    cacheDir,
    onProgress: (event) => firstEvents.push(event),
  });
  assert.equal(firstEvents.filter((event) => !event.fromCache).length, 6);
  assert.equal(Array.from(Deno.readDirSync(cacheDir)).length, 2);

  // Same size and modification time but undecodable content: only a cache hit can load this.
  const path = join(root, "train/n01_cat/a.png");
  const { size, mtime, atime } = await Deno.stat(path);
  await Deno.writeFile(path, new Uint8Array(size));
  await Deno.utime(path, atime!, mtime!);

  const secondEvents: ImageFolderProgress[] = [];
  const second = await loadImageFolder(root, {
    side: 4,
    cacheDir,
    onProgress: (event) => secondEvents.push(event),
  });

  assert.deepEqual(second, first);
  assert.deepEqual(secondEvents, [
    { split: "train", done: 4, total: 4, fromCache: true },
    { split: "val", done: 2, total: 2, fromCache: true },
  ]);
});

Deno.test("loadImageFolder misses the cache after a change", async () => {
  const root = await makeMixedDataset();
  const cacheDir = await Deno.makeTempDir();
  await loadImageFolder(root, { side: 4, cacheDir });

  await writeSolidImage(join(root, "train/n01_cat/a.png"), 4, 4, [1, 1, 1]);
  const events: ImageFolderProgress[] = [];
  const dataset = await loadImageFolder(root, {
    side: 4,
    cacheDir,
    onProgress: (event) => events.push(event),
  });

  assert.deepEqual(pixelAt(dataset.train.images, 0, 4), [1, 1, 1]);
  assert.equal(events.filter((event) => event.split === "train" && !event.fromCache).length, 4);
  assert.deepEqual(events.filter((event) => event.split === "val").map((event) => event.fromCache), [true]);
});

Deno.test("loadImageFolder decodes again past a corrupt cache", async () => {
  const root = await makeMixedDataset();
  const cacheDir = await Deno.makeTempDir();
  const first = await loadImageFolder(root, { side: 4, cacheDir });
  for (const entry of Deno.readDirSync(cacheDir)) await Deno.truncate(join(cacheDir, entry.name), 20);

  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (message: string) => warnings.push(message);
  try {
    assert.deepEqual(await loadImageFolder(root, { side: 4, cacheDir }), first);
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /Ignoring the decoded-image cache.*Invalid cache file/);
});

Deno.test("loadImageFolder lists every bad image", async () => {
  const root = await makeMixedDataset();
  await Deno.writeTextFile(join(root, "train/n02_dog/broken.png"), "not a png");
  await Deno.writeFile(join(root, "val/n01_cat/empty.jpg"), new Uint8Array());
  const cacheDir = await Deno.makeTempDir();

  await assert.rejects(loadImageFolder(root, { side: 4, cacheDir }), (error: unknown) => {
    assert.ok(error instanceof BadImagesError);
    assert.deepEqual(error.badImages.map((bad) => basename(bad.path)), ["broken.png", "empty.jpg"]);
    assert.match(error.message, /Failed to decode 2 image\(s\) in .*tiny-set/);
    assert.match(error.message, /train\/n02_dog\/broken\.png: /);
    assert.match(error.message, /val\/n01_cat\/empty\.jpg: /);
    assert.match(error.message, /Replace or delete these files/);
    return true;
  });
  assert.deepEqual(Array.from(Deno.readDirSync(cacheDir)), [], "no split with bad images is cached");
});

Deno.test("loadImageFolder rejects an invalid side", async () => {
  const root = await makeMixedDataset();
  for (const side of [0, -3, 2.5, Number.NaN, 5000]) {
    await assert.rejects(
      loadImageFolder(root, { side, cacheDir: false }),
      /Invalid image side/,
      String(side),
    );
  }
});
