import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cacheFilePath,
  type CacheKeyInput,
  computeCacheKey,
  defaultCacheDir,
  readCachedSplit,
  writeCachedSplit,
} from "./cache.ts";
import type { ImageSplit } from "./types.ts";

function sampleSplit(count: number, side: number): ImageSplit {
  const images = Uint8Array.from({ length: count * side * side * 3 }, (_, i) => (i * 7) % 256);
  const labels = Int32Array.from({ length: count }, (_, i) => i * 3 - 1);
  return { images, labels, count, height: side, width: side };
}

const keyInput: CacheKeyInput = {
  files: [
    { relativePath: "train/a/1.png", size: 100, mtimeMs: 1000, label: 0 },
    { relativePath: "train/b/1.png", size: 120, mtimeMs: 2000, label: 1 },
  ],
  classFolders: ["a", "b"],
  side: 8,
  resizeRule: "rule",
};

Deno.test("cache round-trips a split", async () => {
  const dir = await Deno.makeTempDir();
  for (const [count, side] of [[3, 5], [1, 1], [0, 4]]) {
    const split = sampleSplit(count, side);
    await writeCachedSplit(dir, `key${count}`, split, "/data/x");

    assert.deepEqual(await readCachedSplit(dir, `key${count}`), split, `count ${count}, side ${side}`);
  }
});

Deno.test("cache returns null for a missing key", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal(await readCachedSplit(dir, "absent"), null);
  assert.equal(await readCachedSplit(join(dir, "no-such-folder"), "absent"), null);
});

Deno.test("cache write leaves no temporary files", async () => {
  const dir = join(await Deno.makeTempDir(), "nested", "cache");
  await writeCachedSplit(dir, "k", sampleSplit(2, 3), "/data/x");

  const names = Array.from(Deno.readDirSync(dir), (entry) => entry.name);
  assert.deepEqual(names, ["k.bin"]);
});

Deno.test("cache rejects a truncated file", async () => {
  const dir = await Deno.makeTempDir();
  await writeCachedSplit(dir, "k", sampleSplit(2, 3), "/data/x");
  const path = cacheFilePath(dir, "k");
  await Deno.truncate(path, (await Deno.stat(path)).size - 1);

  await assert.rejects(readCachedSplit(dir, "k"), (error: Error) => {
    assert.match(error.message, /Invalid cache file .*k\.bin/);
    assert.match(error.message, /Delete it/);
    return true;
  });
});

Deno.test("cache rejects a file with another key", async () => {
  const dir = await Deno.makeTempDir();
  await writeCachedSplit(dir, "k", sampleSplit(1, 2), "/data/x");
  await Deno.rename(cacheFilePath(dir, "k"), cacheFilePath(dir, "other"));

  await assert.rejects(readCachedSplit(dir, "other"), /header key k differs/);
});

Deno.test("cache rejects a foreign file", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(cacheFilePath(dir, "k"), "hello, this is not a cache file");

  await assert.rejects(readCachedSplit(dir, "k"), /wrong magic bytes/);
});

Deno.test("computeCacheKey changes with each input", () => {
  const base = computeCacheKey(keyInput);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(computeCacheKey(structuredClone(keyInput)), base);

  const changedFile = (change: Partial<CacheKeyInput["files"][number]>) => ({
    ...keyInput,
    files: [{ ...keyInput.files[0], ...change }, keyInput.files[1]],
  });
  const variants: Record<string, CacheKeyInput> = {
    size: changedFile({ size: 101 }),
    mtime: changedFile({ mtimeMs: 1001 }),
    path: changedFile({ relativePath: "train/a/2.png" }),
    label: changedFile({ label: 1 }),
    fileRemoved: { ...keyInput, files: keyInput.files.slice(1) },
    side: { ...keyInput, side: 9 },
    resizeRule: { ...keyInput, resizeRule: "other" },
    classFolders: { ...keyInput, classFolders: ["a", "c"] },
  };
  for (const [name, variant] of Object.entries(variants)) {
    assert.notEqual(computeCacheKey(variant), base, name);
  }
});

Deno.test("defaultCacheDir prefers XDG_CACHE_HOME", () => {
  const env: Record<string, string> = { XDG_CACHE_HOME: "/xdg", HOME: "/home/u" };
  assert.equal(defaultCacheDir((name) => env[name]), "/xdg/mials/decoded");
});

Deno.test("defaultCacheDir falls back to HOME", () => {
  const env: Record<string, string> = { XDG_CACHE_HOME: "", HOME: "/home/u" };
  assert.equal(defaultCacheDir((name) => env[name]), "/home/u/.cache/mials/decoded");
});

Deno.test("defaultCacheDir rejects an empty environment", () => {
  assert.throws(() => defaultCacheDir(() => undefined), /pass cacheDir explicitly/);
});
