import assert from "node:assert/strict";
import { join } from "node:path";
import { cacheFilePath, readCachedSplit, writeCachedSplit } from "./cache.ts";
import { CACHE_FORMAT_VERSION } from "./cache_key.ts";
import type { ImageSplit } from "./types.ts";

function sampleSplit(count: number, side: number): ImageSplit {
  const images = Uint8Array.from({ length: count * side * side * 3 }, (_, i) => (i * 7) % 256);
  const labels = Int32Array.from({ length: count }, (_, i) => i * 3 - 1);
  return { images, labels, count, height: side, width: side };
}

Deno.test("cache round-trips a split", async () => {
  const dir = await Deno.makeTempDir();
  for (const [count, side] of [[3, 5], [1, 1], [0, 4]]) {
    const split = sampleSplit(count, side);
    await writeCachedSplit(dir, `key${count}`, split, "/data/x");

    const cached = await readCachedSplit(dir, `key${count}`);
    assert.deepEqual(cached, { split, badImageIndices: [] }, `count ${count}, side ${side}`);
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

Deno.test("cache round-trips bad-image indices", async () => {
  const dir = await Deno.makeTempDir();
  const split = sampleSplit(4, 2);
  await writeCachedSplit(dir, "k", split, "/data/x", [0, 3]);

  assert.deepEqual(await readCachedSplit(dir, "k"), { split, badImageIndices: [0, 3] });
});

Deno.test("cache rejects changed pixel bytes", async () => {
  const dir = await Deno.makeTempDir();
  await writeCachedSplit(dir, "k", sampleSplit(3, 4), "/data/x");
  const path = cacheFilePath(dir, "k");
  const bytes = await Deno.readFile(path);
  // The last pixel byte sits just before the 3 labels; flipping it keeps the size.
  bytes[bytes.length - 3 * 4 - 1] ^= 0xff;
  await Deno.writeFile(path, bytes);

  await assert.rejects(readCachedSplit(dir, "k"), /Invalid cache file .*k\.bin: checksum mismatch/);
});

Deno.test("cache rejects changed label bytes", async () => {
  const dir = await Deno.makeTempDir();
  await writeCachedSplit(dir, "k", sampleSplit(3, 4), "/data/x");
  const path = cacheFilePath(dir, "k");
  const bytes = await Deno.readFile(path);
  bytes[bytes.length - 1] ^= 0x01;
  await Deno.writeFile(path, bytes);

  await assert.rejects(readCachedSplit(dir, "k"), /checksum mismatch/);
});

Deno.test("cache rejects invalid bad-image indices", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string, number[]][] = [["past-end", [2]], ["descending", [1, 0]], ["repeated", [1, 1]]];
  for (const [key, indices] of cases) {
    await writeCachedSplit(dir, key, sampleSplit(2, 2), "/data/x", indices);

    await assert.rejects(readCachedSplit(dir, key), /invalid bad-image indices/, key);
  }
});

Deno.test("cache rejects an older format version", async () => {
  const dir = await Deno.makeTempDir();
  await writeCachedSplit(dir, "k", sampleSplit(1, 2), "/data/x");
  const path = cacheFilePath(dir, "k");
  const text = new TextDecoder("latin1").decode(await Deno.readFile(path));
  const changed = text.replace(`"formatVersion":${CACHE_FORMAT_VERSION}`, `"formatVersion":0`);
  assert.notEqual(changed, text);
  await Deno.writeFile(path, Uint8Array.from(changed, (character) => character.charCodeAt(0)));

  await assert.rejects(readCachedSplit(dir, "k"), /format version 0/);
});
