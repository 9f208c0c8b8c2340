import assert from "node:assert/strict";
import { join } from "node:path";
import { type ChunkWriter, writeFileAtomic } from "./atomic_write.ts";

/** Returns a writer that writes `limit` bytes in all, then fails as a full disk does. */
function fullDiskAfter(limit: number): ChunkWriter {
  let written = 0;
  return async (file, bytes) => {
    if (written >= limit) throw new Error("No space left on device (os error 28)");
    const count = await file.write(bytes.subarray(0, Math.min(bytes.length, limit - written)));
    written += count;
    return count;
  };
}

Deno.test("writeFileAtomic replaces the file", async () => {
  const folder = await Deno.makeTempDir({ prefix: "mials-atomic-" });
  try {
    const path = join(folder, "final.json");
    await writeFileAtomic(path, "old\n");
    await writeFileAtomic(path, new TextEncoder().encode("new\n"));
    assert.equal(await Deno.readTextFile(path), "new\n");
    assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name), ["final.json"]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("writeFileAtomic on a full disk keeps the old file", async () => {
  const folder = await Deno.makeTempDir({ prefix: "mials-atomic-" });
  try {
    const path = join(folder, "final.json");
    await writeFileAtomic(path, "old\n");
    await assert.rejects(
      writeFileAtomic(path, "x".repeat(10_000), { writeChunk: fullDiskAfter(4096) }),
      (error: Error) => {
        assert.match(
          error.message,
          /^Writing .*final\.json failed: No space left on device \(os error 28\)\./,
        );
        assert.match(error.message, /Check free disk space/);
        return true;
      },
    );
    assert.equal(await Deno.readTextFile(path), "old\n");
    assert.deepEqual([...Deno.readDirSync(folder)].map((entry) => entry.name), ["final.json"]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("writeFileAtomic on a full disk creates no file", async () => {
  const folder = await Deno.makeTempDir({ prefix: "mials-atomic-" });
  try {
    await assert.rejects(
      writeFileAtomic(join(folder, "epochs.jsonl"), "line\n", { writeChunk: fullDiskAfter(0) }),
      /Writing .*epochs\.jsonl failed: No space left on device/,
    );
    assert.deepEqual([...Deno.readDirSync(folder)], []);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("writeFileAtomic names a missing folder", async () => {
  await assert.rejects(
    writeFileAtomic("/nonexistent/mials/final.json", "{}"),
    /Writing \/nonexistent\/mials\/final\.json failed: No such file or directory/,
  );
});
