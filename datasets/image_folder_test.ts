import assert from "node:assert/strict";
import { inMemorySplit } from "./types.ts";
import { basename, join } from "node:path";
import { readCachedSplit } from "./cache.ts";
import { BadImagesError, type ImageFolderProgress, loadImageFolder } from "./image_folder.ts";
import { writeRawImage, writeSolidImage, writeTruncatedJpeg } from "./_test_images.ts";

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

/** Runs `action` with console.warn captured, and returns the warnings with the result. */
async function captureWarnings<T>(action: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (message: string) => warnings.push(message);
  try {
    return { result: await action(), warnings };
  } finally {
    console.warn = warn;
  }
}

/** Adds a truncated JPEG, a zero-byte JPEG and a text file named `.png` to the mixed dataset. */
async function addBadImages(root: string): Promise<void> {
  await writeTruncatedJpeg(join(root, "train/n01_cat/cut.jpg"), 64, 64, 0.5);
  await Deno.writeTextFile(join(root, "train/n02_dog/broken.png"), "not a png");
  await Deno.writeFile(join(root, "val/n01_cat/empty.jpg"), new Uint8Array());
}

/** Lists the cache files of `cacheDir` as keys, sorted. */
function listCacheKeys(cacheDir: string): string[] {
  return Array.from(Deno.readDirSync(cacheDir), (entry) => entry.name.replace(/\.bin$/, "")).sort();
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
  assert.equal(inMemorySplit(dataset.train).images.length, 4 * 4 * 4 * 3);
  assert.equal(dataset.val.height, 4);
  assert.equal(dataset.val.width, 4);
  assert.deepEqual(dataset.skippedImages, { train: 0, val: 0 });

  assert.deepEqual(pixelAt(inMemorySplit(dataset.train).images, 0, 4), [10, 20, 30], "RGB PNG");
  const jpegPixel = pixelAt(inMemorySplit(dataset.train).images, 1, 4);
  [200, 100, 50].forEach((value, c) => assert.ok(Math.abs(jpegPixel[c] - value) <= 4, `JPEG ${jpegPixel}`));
  assert.deepEqual(
    pixelAt(inMemorySplit(dataset.train).images, 2, 4),
    [77, 77, 77],
    "grey PNG sorts before rgba",
  );
  assert.deepEqual(pixelAt(inMemorySplit(dataset.train).images, 3, 4), [90, 80, 70], "RGBA PNG");
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

  assert.deepEqual(pixelAt(inMemorySplit(dataset.train).images, 0, 4), [1, 1, 1]);
  assert.equal(events.filter((event) => event.split === "train" && !event.fromCache).length, 4);
  assert.deepEqual(events.filter((event) => event.split === "val").map((event) => event.fromCache), [true]);
});

Deno.test("loadImageFolder decodes again past a corrupt cache", async () => {
  const root = await makeMixedDataset();
  const cacheDir = await Deno.makeTempDir();
  const first = await loadImageFolder(root, { side: 4, cacheDir });
  for (const entry of Deno.readDirSync(cacheDir)) await Deno.truncate(join(cacheDir, entry.name), 20);

  const { result, warnings } = await captureWarnings(() => loadImageFolder(root, { side: 4, cacheDir }));

  assert.deepEqual(result, first);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /Ignoring the decoded-image cache.*Invalid cache file/);
  assert.doesNotMatch(warnings[0], /Delete it/);
});

Deno.test("loadImageFolder rebuilds a cache with changed pixels", async () => {
  const root = await makeMixedDataset();
  const cacheDir = await Deno.makeTempDir();
  const first = await loadImageFolder(root, { side: 4, cacheDir });
  const keys = listCacheKeys(cacheDir);
  for (const key of keys) {
    const { count } = (await readCachedSplit(cacheDir, key))!.split;
    const path = join(cacheDir, `${key}.bin`);
    const bytes = await Deno.readFile(path);
    // The last pixel byte sits just before the int32 labels; flipping it keeps the size.
    bytes[bytes.length - count * 4 - 1] ^= 0xff;
    await Deno.writeFile(path, bytes);
  }

  const { result, warnings } = await captureWarnings(() => loadImageFolder(root, { side: 4, cacheDir }));

  assert.deepEqual(result, first, "the corrupt pixels are not used");
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /checksum mismatch/);
  assert.deepEqual(listCacheKeys(cacheDir), keys);
  for (const key of keys) {
    const rebuilt = await readCachedSplit(cacheDir, key);
    assert.ok(rebuilt !== null, `cache file ${key} exists`);
  }
});

Deno.test("loadImageFolder lists every bad image", async () => {
  const root = await makeMixedDataset();
  await addBadImages(root);
  const cacheDir = await Deno.makeTempDir();

  await assert.rejects(loadImageFolder(root, { side: 4, cacheDir }), (error: unknown) => {
    assert.ok(error instanceof BadImagesError);
    const names = error.badImages.map((bad) => basename(bad.path));
    assert.deepEqual(names, ["cut.jpg", "broken.png", "empty.jpg"]);
    assert.match(error.message, /Failed to decode 3 image\(s\) in .*tiny-set/);
    assert.match(error.message, /train\/n01_cat\/cut\.jpg: .*premature end of JPEG/i);
    assert.match(error.message, /train\/n02_dog\/broken\.png: .*unsupported image format/);
    assert.match(error.message, /val\/n01_cat\/empty\.jpg: empty file \(0 bytes\)/);
    assert.match(error.message, /Replace or delete these files/);
    assert.match(error.message, /--skip-bad-images/);
    return true;
  });
});

Deno.test("loadImageFolder skips bad images on request", async () => {
  const root = await makeMixedDataset();
  const clean = await loadImageFolder(root, { side: 4, cacheDir: false });
  await addBadImages(root);

  const { result, warnings } = await captureWarnings(() =>
    loadImageFolder(root, { side: 4, cacheDir: false, skipBadImages: true })
  );

  assert.deepEqual(result.skippedImages, { train: 2, val: 1 });
  assert.deepEqual(result.train, clean.train);
  assert.deepEqual(result.val, clean.val);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Skipping 3 image\(s\) in .*tiny-set that failed to decode/);
  assert.match(warnings[0], /cut\.jpg: /);
  assert.match(warnings[0], /broken\.png: /);
  assert.match(warnings[0], /empty\.jpg: /);
});

Deno.test("loadImageFolder rejects a class emptied by skipping", async () => {
  const root = await makeMixedDataset();
  for (const name of ["rgba.png", "grey.png"]) {
    await Deno.writeTextFile(join(root, "train/n02_dog", name), "not a png");
  }

  const { warnings } = await captureWarnings(async () => {
    await assert.rejects(
      loadImageFolder(root, { side: 4, cacheDir: false, skipBadImages: true }),
      /Every image in .*train\/n02_dog failed to decode, so no training image of that class is left/,
    );
  });
  assert.match(warnings[0], /Skipping 2 image\(s\)/);
});

Deno.test("loadImageFolder rejects a val split emptied by skipping", async () => {
  const root = await makeMixedDataset();
  await Deno.writeFile(join(root, "val/n01_cat/v.webp"), new Uint8Array());
  await Deno.writeFile(join(root, "val/n02_dog/v.png"), new Uint8Array());

  await captureWarnings(async () => {
    await assert.rejects(
      loadImageFolder(root, { side: 4, cacheDir: false, skipBadImages: true }),
      /Every val image in .*val failed to decode/,
    );
  });
});

Deno.test("loadImageFolder caches which images failed", async () => {
  const root = await makeMixedDataset();
  await addBadImages(root);
  const cacheDir = await Deno.makeTempDir();
  await assert.rejects(loadImageFolder(root, { side: 4, cacheDir }), BadImagesError);
  const badIndices = await Promise.all(
    listCacheKeys(cacheDir).map(async (key) => (await readCachedSplit(cacheDir, key))!.badImageIndices),
  );
  assert.deepEqual(badIndices.map((indices) => indices.length).sort(), [1, 2]);

  const events: ImageFolderProgress[] = [];
  const { result } = await captureWarnings(() =>
    loadImageFolder(root, {
      side: 4,
      cacheDir,
      skipBadImages: true,
      onProgress: (event) => events.push(event),
    })
  );

  assert.deepEqual(events.map((event) => event.fromCache), [true, true]);
  assert.deepEqual(result.skippedImages, { train: 2, val: 1 });
  await assert.rejects(loadImageFolder(root, { side: 4, cacheDir }), /Failed to decode 3 image/);
});

Deno.test("loadImageFolder retries images that failed before", async () => {
  const root = await makeMixedDataset();
  const cacheDir = await Deno.makeTempDir();
  const clean = await loadImageFolder(root, { side: 4, cacheDir: false });
  // Same size and modification time, so the cache key stays the same when the bytes come back.
  const path = join(root, "train/n02_dog/grey.png");
  const goodBytes = await Deno.readFile(path);
  const { mtime, atime } = await Deno.stat(path);
  await Deno.writeFile(path, new Uint8Array(goodBytes.length));
  await Deno.utime(path, atime!, mtime!);
  await assert.rejects(loadImageFolder(root, { side: 4, cacheDir }), /grey\.png/);

  await Deno.writeFile(path, goodBytes);
  await Deno.utime(path, atime!, mtime!);
  const events: ImageFolderProgress[] = [];
  const dataset = await loadImageFolder(root, {
    side: 4,
    cacheDir,
    onProgress: (event) => events.push(event),
  });

  assert.deepEqual(events.map((event) => event.fromCache), [true, true]);
  assert.deepEqual(dataset, clean);
  const cached = await Promise.all(listCacheKeys(cacheDir).map((key) => readCachedSplit(cacheDir, key)));
  assert.deepEqual(
    cached.map((entry) => entry!.badImageIndices),
    [[], []],
    "cache rewritten without failures",
  );
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

Deno.test("loadImageFolder warns about nested folders and shared class names", async () => {
  const root = await makeMixedDataset();
  await Deno.mkdir(join(root, "train/n01_cat/more"));
  await writeSolidImage(join(root, "train/n01_cat/more/c.png"), 4, 4, [1, 2, 3]);
  await Deno.writeTextFile(join(root, "Labels.json"), JSON.stringify({ n01_cat: "pet", n02_dog: "pet" }));

  const { result, warnings } = await captureWarnings(() =>
    loadImageFolder(root, { side: 4, cacheDir: false })
  );

  assert.deepEqual(result.classNames, ["pet (n01_cat)", "pet (n02_dog)"]);
  assert.equal(result.train.count, 4);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /share the readable name\(s\) "pet"/);
  assert.match(warnings[1], /nested inside class folders \(train\/n01_cat\/more\/\)/);
});
