import assert from "node:assert/strict";
import { join } from "node:path";
import { makeClassNamesUnique, readClassNames, scanImageFolder } from "./image_folder_layout.ts";
import { writeSolidImage } from "./_test_images.ts";

/** Creates `root/<relative path>` as a 2x2 PNG for every path given. */
async function makeTree(paths: string[]): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const path of paths) {
    const full = join(root, path);
    await Deno.mkdir(join(full, ".."), { recursive: true });
    await writeSolidImage(full, 2, 2, [1, 2, 3]);
  }
  return root;
}

Deno.test("scanImageFolder sorts classes and files", async () => {
  const root = await makeTree([
    "train/zebra/b.png",
    "train/zebra/a.png",
    "train/Ant/x.png",
    "train/bee/10.png",
    "train/bee/9.png",
    "val/bee/v.png",
    "val/Ant/w.png",
  ]);

  const layout = await scanImageFolder(root);

  assert.deepEqual(layout.classFolders, ["Ant", "bee", "zebra"]);
  assert.deepEqual(layout.classNames, ["Ant", "bee", "zebra"]);
  const train = layout.train.map((file) => `${file.relativePath}:${file.label}`);
  assert.deepEqual(train, [
    "train/Ant/x.png:0",
    "train/bee/10.png:1",
    "train/bee/9.png:1",
    "train/zebra/a.png:2",
    "train/zebra/b.png:2",
  ]);
  const val = layout.val.map((file) => `${file.relativePath}:${file.label}`);
  assert.deepEqual(val, ["val/Ant/w.png:0", "val/bee/v.png:1"]);
  assert.equal(layout.train[0].path, join(root, "train/Ant/x.png"));
  assert.equal(layout.train[0].size, (await Deno.stat(join(root, "train/Ant/x.png"))).size);
  assert.ok(layout.train[0].mtimeMs > 0);
});

Deno.test("scanImageFolder ignores hidden and non-image files", async () => {
  const root = await makeTree(["train/a/1.png", "train/a/UPPER.PNG", "val/a/1.png"]);
  await Deno.writeTextFile(join(root, "train/a/notes.txt"), "x");
  await Deno.writeTextFile(join(root, "train/a/.hidden.png"), "x");
  await Deno.mkdir(join(root, "train/.cache"));
  await Deno.mkdir(join(root, "train/a/nested"));
  await Deno.writeTextFile(join(root, "train/README"), "x");

  const layout = await scanImageFolder(root);

  assert.deepEqual(layout.classFolders, ["a"]);
  assert.deepEqual(layout.train.map((file) => file.relativePath), ["train/a/1.png", "train/a/UPPER.PNG"]);
  assert.equal(layout.notes.length, 2);
  assert.match(layout.notes[0], /Ignored 1 folder\(s\) nested inside class folders \(train\/a\/nested\/\)/);
  assert.match(layout.notes[0], /Move their images up into the class folder/);
  assert.match(layout.notes[1], /Ignored 1 file\(s\) .* \(train\/a\/notes\.txt\); the extensions read are/);
});

Deno.test("scanImageFolder ignores broken and looping links", async () => {
  const root = await makeTree(["train/a/1.png", "val/a/1.png"]);
  await Deno.symlink("/nonexistent/x.jpg", join(root, "train/a/broken.jpg"));
  await Deno.symlink(join(root, "val/a/loop.png"), join(root, "val/a/loop.png"));

  const layout = await scanImageFolder(root);

  assert.deepEqual(layout.train.map((file) => file.relativePath), ["train/a/1.png"]);
  assert.deepEqual(layout.val.map((file) => file.relativePath), ["val/a/1.png"]);
  assert.equal(layout.notes.length, 1);
  assert.match(
    layout.notes[0],
    /Ignored 2 symbolic link\(s\) whose target is missing or a loop \(train\/a\/broken\.jpg, val\/a\/loop\.png\); fix or remove them\./,
  );
});

Deno.test("scanImageFolder names nested folders of every split and shortens long lists", async () => {
  const root = await makeTree(["train/a/1.png", "val/a/1.png", "val/a/deep/2.png"]);
  for (let i = 0; i < 6; i++) await Deno.mkdir(join(root, `train/a/sub${i}`));

  const layout = await scanImageFolder(root);

  assert.deepEqual(layout.val.map((file) => file.relativePath), ["val/a/1.png"]);
  assert.equal(layout.notes.length, 1);
  assert.match(layout.notes[0], /^Ignored 7 folder\(s\) .*train\/a\/sub0\/, .*train\/a\/sub4\/ and 2 more\)/);
});

Deno.test("scanImageFolder has no notes for a clean folder", async () => {
  const root = await makeTree(["train/a/1.png", "val/a/1.png"]);

  assert.deepEqual((await scanImageFolder(root)).notes, []);
});

Deno.test("scanImageFolder appends folder names to shared readable names", async () => {
  const root = await makeTree([
    "train/n1/1.png",
    "train/n2/1.png",
    "train/n3/1.png",
    "val/n1/1.png",
    "val/n2/1.png",
    "val/n3/1.png",
  ]);
  await Deno.writeTextFile(
    join(root, "Labels.json"),
    JSON.stringify({ n1: "crane", n2: "crane", n3: "ant" }),
  );

  const layout = await scanImageFolder(root);

  assert.deepEqual(layout.classNames, ["crane (n1)", "crane (n2)", "ant"]);
  assert.deepEqual(layout.notes, [
    'Several classes share the readable name(s) "crane"; the folder name was appended to tell them apart.',
  ]);
});

Deno.test("scanImageFolder rejects a missing folder", async () => {
  const root = await makeTree(["train/a/1.png"]);

  await assert.rejects(scanImageFolder(join(root, "absent")), /Image folder .*absent not found; expected/);
  await assert.rejects(scanImageFolder(root), /Val folder .*val not found/);
  await Deno.remove(join(root, "train"), { recursive: true });
  await assert.rejects(scanImageFolder(root), /Train folder .*train not found/);
});

Deno.test("scanImageFolder rejects train without classes", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, "train"));
  await Deno.mkdir(join(root, "val"));

  await assert.rejects(scanImageFolder(root), /No class folders in .*train/);
});

Deno.test("scanImageFolder rejects an empty class folder", async () => {
  const root = await makeTree(["train/a/1.png", "val/a/1.png"]);
  await Deno.mkdir(join(root, "train/b"));
  await Deno.writeTextFile(join(root, "train/b/readme.txt"), "no images here");

  await assert.rejects(scanImageFolder(root), (error: Error) => {
    assert.match(error.message, /Class folders without images: .*train\/b\./);
    assert.match(error.message, /remove the folders/);
    return true;
  });
});

Deno.test("scanImageFolder rejects an empty val folder", async () => {
  const root = await makeTree(["train/a/1.png", "val/a/1.png", "train/b/1.png"]);
  await Deno.mkdir(join(root, "val/b"));

  await assert.rejects(scanImageFolder(root), /Class folders without images: .*val\/b\./);
});

Deno.test("scanImageFolder rejects val classes missing from train", async () => {
  const root = await makeTree(["train/a/1.png", "val/a/1.png", "val/b/1.png", "val/c/1.png"]);

  await assert.rejects(scanImageFolder(root), (error: Error) => {
    assert.match(error.message, /Val class folders missing from .*train: b, c\./);
    return true;
  });
});

Deno.test("scanImageFolder rejects val without classes", async () => {
  const root = await makeTree(["train/a/1.png"]);
  await Deno.mkdir(join(root, "val"));
  await Deno.writeTextFile(join(root, "val/readme.txt"), "no class folders here");

  await assert.rejects(scanImageFolder(root), /No class folders in .*val; expected/);
});

Deno.test("scanImageFolder rejects Labels.json with unknown folders", async () => {
  const root = await makeTree(["train/a/1.png", "val/a/1.png"]);
  await Deno.writeTextFile(join(root, "Labels.json"), JSON.stringify({ a: "ant", n99: "x", zz: "y" }));

  await assert.rejects(scanImageFolder(root), (error: Error) => {
    assert.match(error.message, /Invalid key\(s\) "n99", "zz" in .*Labels\.json/);
    assert.match(error.message, /no such class folder in .*train\./);
    assert.match(error.message, /Remove the keys or add the folders/);
    return true;
  });
});

Deno.test("scanImageFolder rejects Labels.json that is not JSON", async () => {
  const root = await makeTree(["train/a/1.png", "val/a/1.png"]);
  await Deno.writeTextFile(join(root, "Labels.json"), "a: ant");

  await assert.rejects(scanImageFolder(root), /Invalid JSON in .*Labels\.json/);
});

Deno.test("scanImageFolder allows a train class without val", async () => {
  const root = await makeTree(["train/a/1.png", "train/b/1.png", "val/b/1.png"]);

  const layout = await scanImageFolder(root);

  assert.deepEqual(layout.val.map((file) => file.label), [1]);
  assert.deepEqual(layout.notes, [
    "1 train class(es) without a val folder (a): they are trained on but never evaluated. " +
    "Add val/<class>/ folders to evaluate them.",
  ]);
});

Deno.test("makeClassNamesUnique renames a readable name that equals another class's folder name", () => {
  const result = makeClassNamesUnique(["b", "b", "c"], ["a", "b", "c"]);

  assert.deepEqual(result.names, ["b (a)", "b (b)", "c"]);
  assert.match(result.note!, /share the readable name\(s\) "b"/);
  assert.deepEqual(makeClassNamesUnique(["x", "y"], ["a", "b"]), { names: ["x", "y"] });
});

Deno.test("readClassNames maps folders through Labels.json", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "Labels.json");
  await Deno.writeTextFile(path, JSON.stringify({ n01: "tench", n02: "goldfish" }));

  assert.deepEqual(await readClassNames(path, ["n01", "n02", "n03"]), ["tench", "goldfish", "n03"]);
  assert.deepEqual(await readClassNames(join(dir, "absent.json"), ["n01"]), ["n01"]);
});

Deno.test("readClassNames rejects invalid Labels.json", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "Labels.json");
  const cases: [string, RegExp][] = [
    ["{not json", /Invalid JSON in .*Labels\.json .*must be a JSON object mapping/],
    ['["a", "b"]', /Invalid .*Labels\.json: .* got an array/],
    ['"text"', /Invalid .*Labels\.json: .* got string/],
    ['{"n01": 5}', /Invalid value for "n01" in .*Labels\.json: expected a non-empty string/],
    ['{"n01": ""}', /Invalid value for "n01"/],
    [
      '{"../n01": "tench"}',
      /Invalid key "\.\.\/n01" in .*Labels\.json: keys must be single class folder names/,
    ],
    ['{"..": "up"}', /Invalid key "\.\."/],
    ['{"a\\\\b": "x"}', /Invalid key "a\\\\b"/],
    ['{"n01": "tench", "n02": "goldfish"}', /Invalid key\(s\) "n02" in .*Labels\.json: no such class folder/],
  ];
  for (const [text, expected] of cases) {
    await Deno.writeTextFile(path, text);
    await assert.rejects(readClassNames(path, ["n01"]), expected, text);
  }
});

Deno.test("readClassNames rejects a Labels.json folder", async () => {
  const root = await Deno.makeTempDir();
  const path = join(root, "Labels.json");
  await Deno.mkdir(path);
  await assert.rejects(
    readClassNames(path, ["cat"]),
    /Labels\.json could not be read .*make it a JSON file or remove it/,
  );
  await Deno.remove(root, { recursive: true });
});
