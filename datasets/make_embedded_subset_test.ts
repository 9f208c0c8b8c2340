import assert from "node:assert/strict";
import { join } from "node:path";
import { makeEmbeddedSubset } from "./make_embedded_subset.ts";

/** Writes `count` placeholder `.jpg` files named 0000.jpg, 0001.jpg, ... in reverse order. */
async function writePlaceholders(folder: string, count: number): Promise<void> {
  await Deno.mkdir(folder, { recursive: true });
  for (let i = count - 1; i >= 0; i--) {
    await Deno.writeTextFile(join(folder, `${String(i).padStart(4, "0")}.jpg`), `image ${i}`);
  }
}

async function makeSource(trainPerClass: number, valPerClass: number): Promise<string> {
  const source = await Deno.makeTempDir();
  for (const name of ["frog", "cat"]) {
    await writePlaceholders(join(source, "train", name), trainPerClass);
    await writePlaceholders(join(source, "val", name), valPerClass);
  }
  await Deno.writeTextFile(join(source, "Labels.json"), '{"cat": "cat", "frog": "frog"}');
  return source;
}

function sortedNames(folder: string): string[] {
  return Array.from(Deno.readDirSync(folder), (entry) => entry.name).sort();
}

Deno.test("makeEmbeddedSubset copies the first files", async () => {
  const source = await makeSource(203, 52);
  const output = await Deno.makeTempDir();
  await Deno.writeTextFile(join(output, "PROVENANCE.md"), "kept");
  await writePlaceholders(join(output, "train", "stale"), 1);

  const copied = await makeEmbeddedSubset(source, output);

  assert.deepEqual(copied, { train: 400, val: 100 });
  assert.deepEqual(sortedNames(output), ["Labels.json", "PROVENANCE.md", "train", "val"]);
  assert.deepEqual(sortedNames(join(output, "train")), ["cat", "frog"]);
  const trainNames = sortedNames(join(output, "train", "cat"));
  assert.equal(trainNames.length, 200);
  assert.equal(trainNames[0], "0000.jpg");
  assert.equal(trainNames[199], "0199.jpg");
  const valNames = sortedNames(join(output, "val", "frog"));
  assert.equal(valNames.length, 50);
  assert.equal(valNames[49], "0049.jpg");
  assert.equal(await Deno.readTextFile(join(output, "val", "frog", "0007.jpg")), "image 7");
  assert.equal(await Deno.readTextFile(join(output, "Labels.json")), '{"cat": "cat", "frog": "frog"}');
});

Deno.test("makeEmbeddedSubset rejects a small class", async () => {
  const source = await makeSource(200, 49);
  const output = await Deno.makeTempDir();
  await writePlaceholders(join(output, "train", "old"), 1);

  await assert.rejects(
    makeEmbeddedSubset(source, output),
    /val\/cat has 49 images, the embedded subset needs 50/,
  );
  assert.deepEqual(sortedNames(output), ["train"], "output left unchanged");
  assert.deepEqual(sortedNames(join(output, "train")), ["old"]);
});
