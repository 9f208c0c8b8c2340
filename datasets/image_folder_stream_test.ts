import assert from "node:assert/strict";
import { join } from "node:path";
import { fileImageStore } from "../pipeline/image_store.ts";
import { readCachedSplit } from "./cache.ts";
import { openStreamedCache, removeStaleTemporaryFiles, writeStreamedCache } from "./cache_stream.ts";
import { loadImageFolder } from "./image_folder.ts";
import { splitDigest } from "../engine/corrupted_split.ts";
import { takePerClass } from "./subset.ts";
import { type ImageSplit, inMemorySplit, isStreamed, type StreamedSplit } from "./types.ts";
import { writeSolidImage, writeTruncatedJpeg } from "./_test_images.ts";

const SIDE = 4;
const IMAGE_BYTES = SIDE * SIDE * 3;

/** Writes a dataset of solid-colour images: 3 train images per class, 1 val image per class. */
async function makeDataset(): Promise<string> {
  const root = join(await Deno.makeTempDir(), "streamed");
  for (const [label, name] of ["cat", "dog"].entries()) {
    await Deno.mkdir(join(root, "train", name), { recursive: true });
    await Deno.mkdir(join(root, "val", name), { recursive: true });
    for (let i = 0; i < 3; i++) {
      await writeSolidImage(join(root, "train", name, `${i}.png`), SIDE, SIDE, [40 * i, 100 * label, 7]);
    }
    await writeSolidImage(join(root, "val", name, "v.png"), SIDE, SIDE, [1, 2, 3 + label]);
  }
  return root;
}

function readAll(split: StreamedSplit): Uint8Array {
  const store = fileImageStore(split);
  try {
    return store.read(Int32Array.from(split.labels.keys()));
  } finally {
    store.close();
  }
}

Deno.test("a streamed train split reads the same pixels and labels as one in memory", async () => {
  const root = await makeDataset();
  const cacheDir = await Deno.makeTempDir();
  const inMemory = await loadImageFolder(root, { side: SIDE, cacheDir: await Deno.makeTempDir() });
  const streamed = await loadImageFolder(root, { side: SIDE, cacheDir, stream: true });
  assert.ok(isStreamed(streamed.train));
  assert.ok(!isStreamed(inMemory.train));
  assert.deepEqual(streamed.train.labels, inMemory.train.labels);
  assert.deepEqual(readAll(streamed.train), (inMemory.train as ImageSplit).images);
  assert.deepEqual(streamed.val, inMemory.val, "the val split stays in memory");
});

Deno.test("a streamed split's cache file is reused, and the in-memory reader accepts it", async () => {
  const root = await makeDataset();
  const cacheDir = await Deno.makeTempDir();
  const first = await loadImageFolder(root, { side: SIDE, cacheDir, stream: true });
  const progress: boolean[] = [];
  const second = await loadImageFolder(root, {
    side: SIDE,
    cacheDir,
    stream: true,
    onProgress: ({ split, fromCache }) => split === "train" && progress.push(fromCache),
  });
  assert.deepEqual(progress, [true]);
  const trainFile = (second.train as StreamedSplit).file;
  assert.deepEqual(trainFile, (first.train as StreamedSplit).file);
  const key = trainFile.path.split("/").at(-1)!.replace(/\.bin$/, "");
  const read = await readCachedSplit(cacheDir, key);
  assert.deepEqual(read?.split.images, readAll(second.train as StreamedSplit));
});

Deno.test("takePerClass on a streamed split keeps file positions, not pixels", async () => {
  const root = await makeDataset();
  const dataset = await loadImageFolder(root, {
    side: SIDE,
    cacheDir: await Deno.makeTempDir(),
    stream: true,
  });
  const subset = takePerClass(dataset.train as StreamedSplit, 2);
  assert.deepEqual([...subset.indices], [0, 1, 3, 4]);
  assert.deepEqual([...subset.labels], [0, 0, 1, 1]);
  const all = readAll(dataset.train as StreamedSplit);
  assert.deepEqual(
    readAll(subset).subarray(2 * IMAGE_BYTES, 3 * IMAGE_BYTES),
    all.subarray(3 * IMAGE_BYTES, 4 * IMAGE_BYTES),
  );
});

Deno.test("a streamed split leaves out a bad image with skipBadImages and lists it again on reload", async () => {
  const root = await makeDataset();
  await writeTruncatedJpeg(join(root, "train/dog/cut.jpg"), 64, 64, 0.5);
  const cacheDir = await Deno.makeTempDir();
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (let load = 0; load < 2; load++) {
      const dataset = await loadImageFolder(root, {
        side: SIDE,
        cacheDir,
        stream: true,
        skipBadImages: true,
      });
      assert.equal(dataset.train.count, 6);
      assert.deepEqual(dataset.skippedImages, { train: 1, val: 0 });
      assert.deepEqual([...(dataset.train as StreamedSplit).indices], [0, 1, 2, 3, 4, 5]);
    }
  } finally {
    console.warn = warn;
  }
});

Deno.test("writeStreamedCache stores images written in any order, and a changed byte fails the check", async () => {
  const cacheDir = await Deno.makeTempDir();
  const labels = Int32Array.of(1, 0, 1);
  const image = (value: number) => new Uint8Array(IMAGE_BYTES).fill(value);
  const written = await writeStreamedCache(
    cacheDir,
    { key: "k", source: "test", labels, height: SIDE, width: SIDE },
    async (write) => {
      await write(2, image(30));
      await write(0, image(10));
      return [1];
    },
  );
  assert.deepEqual(written.badImageIndices, [1]);
  const opened = await openStreamedCache(cacheDir, "k");
  assert.deepEqual(opened?.split.labels, labels);
  assert.deepEqual(readAll(opened!.split), Uint8Array.of(...image(10), ...image(0), ...image(30)));
  assert.equal(await openStreamedCache(cacheDir, "missing"), null);

  const bytes = await Deno.readFile(opened!.split.file.path);
  bytes[opened!.split.file.pixelsOffset + 5] ^= 1;
  await Deno.writeFile(opened!.split.file.path, bytes);
  await assert.rejects(openStreamedCache(cacheDir, "k"), /checksum mismatch/);
});

Deno.test("writeStreamedCache rejects an image outside the split and leaves no file", async () => {
  const cacheDir = await Deno.makeTempDir();
  const contents = { key: "k", source: "test", labels: Int32Array.of(0), height: SIDE, width: SIDE };
  await assert.rejects(
    writeStreamedCache(cacheDir, contents, async (write) => {
      await write(1, new Uint8Array(IMAGE_BYTES));
      return [];
    }),
    /Image 1 of 48 bytes does not fit a split of 1 images/,
  );
  assert.deepEqual([...Deno.readDirSync(cacheDir)], []);
});

Deno.test("inMemorySplit names the file of a streamed split", async () => {
  const dataset = await loadImageFolder(await makeDataset(), {
    side: SIDE,
    cacheDir: await Deno.makeTempDir(),
    stream: true,
  });
  assert.throws(
    () => inMemorySplit(dataset.train),
    /The split is streamed from .*\.bin; load it without stream/,
  );
  assert.equal(inMemorySplit(dataset.val), dataset.val);
});

Deno.test("writeStreamedCache names the cache file and the fixes when writing fails", async () => {
  const cacheDir = await Deno.makeTempDir();
  const contents = { key: "k", source: "test", labels: Int32Array.of(0), height: SIDE, width: SIDE };
  await assert.rejects(
    writeStreamedCache(cacheDir, contents, () => Promise.reject(new Error("No space left on device"))),
    /Could not write the decoded-image cache .*k\.bin \(0\.0 MiB\), which a streamed split needs: No space left on device\. Free disk space, pass --cache-dir DIR with a writable folder on a larger disk, or --stream off\./,
  );
  assert.deepEqual([...Deno.readDirSync(cacheDir)], []);
});

Deno.test("removeStaleTemporaryFiles removes only old temporary files of its key", async () => {
  const cacheDir = await Deno.makeTempDir();
  const old = new Date(Date.now() - 3600_000);
  for (const name of ["k.bin.a.tmp", "k.bin.b.tmp", "other.bin.c.tmp", "k.bin"]) {
    await Deno.writeTextFile(join(cacheDir, name), "x");
    if (name !== "k.bin.b.tmp") await Deno.utime(join(cacheDir, name), old, old);
  }
  await removeStaleTemporaryFiles(cacheDir, "k");
  const left = [...Deno.readDirSync(cacheDir)].map((entry) => entry.name).toSorted();
  assert.deepEqual(left, ["k.bin", "k.bin.b.tmp", "other.bin.c.tmp"]);
});

Deno.test("a streamed split carries the digest of its pixels", async () => {
  const root = await makeDataset();
  const cacheDir = await Deno.makeTempDir();
  const inMemory = await loadImageFolder(root, { side: SIDE, cacheDir: await Deno.makeTempDir() });
  const written = await loadImageFolder(root, { side: SIDE, cacheDir, stream: true });
  const reopened = await loadImageFolder(root, { side: SIDE, cacheDir, stream: true });
  const expected = splitDigest(inMemory.train);
  for (const [label, dataset] of [["written", written], ["reopened", reopened]] as const) {
    assert.ok(isStreamed(dataset.train), label);
    assert.equal(dataset.train.digest, expected, `${label}: carried digest`);
    const { digest: _, ...withoutDigest } = dataset.train;
    assert.equal(splitDigest(withoutDigest), expected, `${label}: digest read from the file`);
  }
  const subset = takePerClass(reopened.train, 1);
  assert.ok(isStreamed(subset));
  assert.equal(subset.digest, undefined, "a subset does not carry it over");
});
