import assert from "node:assert/strict";
import { join } from "node:path";
import type { ImageSplit } from "../datasets/types.ts";
import {
  type Degradation,
  degradedSplitKey,
  degradeSplit,
  describeDegradation,
  loadDegradedSplit,
  splitDigest,
} from "./corrupted_split.ts";
import { Random } from "./random.ts";

function makeSplit(count: number, side = 8): ImageSplit {
  const random = new Random(3);
  const images = new Uint8Array(count * side * side * 3);
  for (let i = 0; i < images.length; i++) images[i] = random.integer(256);
  return {
    images,
    labels: Int32Array.from({ length: count }, (_, i) => i % 2),
    count,
    height: side,
    width: side,
  };
}

const NOISE: Degradation = { kind: "corruption", name: "gaussian_noise", severity: 3 };

Deno.test("degradeSplit keeps shape and labels and is deterministic", () => {
  const split = makeSplit(3);
  const first = degradeSplit(split, NOISE, 0);

  assert.equal(first.images.length, split.images.length);
  assert.equal(first.labels, split.labels);
  assert.deepEqual(first.images, degradeSplit(split, NOISE, 0).images);
  assert.notDeepEqual(first.images, degradeSplit(split, NOISE, 1).images);
  assert.notDeepEqual(first.images, split.images);
});

Deno.test("degradeSplit draws each image's noise from its index", () => {
  const split = makeSplit(2);
  const pixels = split.height * split.width * 3;
  split.images.copyWithin(pixels, 0, pixels);
  const degraded = degradeSplit(split, NOISE, 0);

  assert.notDeepEqual(degraded.images.subarray(0, pixels), degraded.images.subarray(pixels));
});

Deno.test("degradeSplit at distortion level 0 keeps blur and mosaic images", () => {
  const split = makeSplit(2);

  for (const name of ["blur", "mosaic"] as const) {
    const degraded = degradeSplit(split, { kind: "distortion", name, level: 0 }, 0);
    assert.deepEqual(degraded.images, split.images, name);
  }
});

Deno.test("degradeSplit rejects unknown names and bad levels", () => {
  const split = makeSplit(1);
  const badName = { kind: "corruption", name: "fogg", severity: 1 } as unknown as Degradation;
  const badSeverity = { kind: "corruption", name: "fog", severity: 6 } as unknown as Degradation;

  assert.throws(() => degradeSplit(split, badName, 0), /unknown corruption "fogg"/);
  assert.throws(() => degradeSplit(split, badSeverity, 0), /Invalid severity 6/);
  assert.throws(() => degradeSplit(split, { kind: "distortion", name: "blur", level: 2 }, 0), /level 2/);
});

Deno.test("degradedSplitKey changes with source, degradation and seed", () => {
  const key = degradedSplitKey("abc", NOISE, 0);

  assert.match(key, /^degraded-[0-9a-f]{32}$/);
  assert.notEqual(key, degradedSplitKey("abd", NOISE, 0));
  assert.notEqual(key, degradedSplitKey("abc", { ...NOISE, severity: 4 }, 0));
  assert.notEqual(key, degradedSplitKey("abc", NOISE, 1));
  assert.equal(describeDegradation(NOISE), "gaussian_noise/3");
  assert.equal(describeDegradation({ kind: "distortion", name: "blur", level: 0.5 }), "blur@0.5");
});

Deno.test("loadDegradedSplit stores a copy and reads it back", async () => {
  const cacheDir = await Deno.makeTempDir();
  const split = makeSplit(2);
  const options = { seed: 0, cacheDir, sourceDigest: splitDigest(split) };
  const computed = await loadDegradedSplit(split, NOISE, options);
  const path = join(cacheDir, `${degradedSplitKey(options.sourceDigest, NOISE, 0)}.bin`);

  assert.ok((await Deno.stat(path)).isFile);
  const bytes = await Deno.readFile(path);
  const cachedOnly = await loadDegradedSplit(
    { ...split, images: new Uint8Array(split.images.length) },
    NOISE,
    options,
  );
  assert.deepEqual(cachedOnly.images, computed.images);
  assert.ok(bytes.length > split.images.length);
});

Deno.test("loadDegradedSplit replaces a corrupt cache file and reports it", async () => {
  const cacheDir = await Deno.makeTempDir();
  const split = makeSplit(2);
  const problems: string[] = [];
  const options = {
    seed: 0,
    cacheDir,
    sourceDigest: splitDigest(split),
    onCacheProblem: (m: string) => problems.push(m),
  };
  const path = join(cacheDir, `${degradedSplitKey(options.sourceDigest, NOISE, 0)}.bin`);
  await Deno.writeTextFile(path, "not a cache file");

  const degraded = await loadDegradedSplit(split, NOISE, options);

  assert.deepEqual(degraded.images, degradeSplit(split, NOISE, 0).images);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /Ignoring the cached gaussian_noise\/3 copy, computing it again/);
  assert.equal(problems.length, 1);
  const again = await loadDegradedSplit(split, NOISE, options);
  assert.deepEqual(again.images, degraded.images);
  assert.equal(problems.length, 1);
});

Deno.test("splitDigest depends on pixels and labels", () => {
  const split = makeSplit(2);
  const digest = splitDigest(split);
  const changedPixel = { ...split, images: split.images.slice() };
  changedPixel.images[5] ^= 1;
  const changedLabel = { ...split, labels: Int32Array.of(1, 1) };

  assert.match(digest, /^[0-9a-f]{64}$/);
  assert.notEqual(splitDigest(changedPixel), digest);
  assert.notEqual(splitDigest(changedLabel), digest);
});
