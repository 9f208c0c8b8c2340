import assert from "node:assert/strict";
import { type CacheKeyInput, computeCacheKey, defaultCacheDir } from "./cache_key.ts";

const keyInput: CacheKeyInput = {
  files: [
    { relativePath: "train/a/1.png", size: 100, mtimeMs: 1000, label: 0 },
    { relativePath: "train/b/1.png", size: 120, mtimeMs: 2000, label: 1 },
  ],
  classFolders: ["a", "b"],
  side: 8,
  resizeRule: "rule",
};

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
