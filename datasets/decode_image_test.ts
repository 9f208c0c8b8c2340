import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { decodeImage, decodeImages } from "./decode_image.ts";
import { writeRawImage, writeSolidImage } from "./_test_images.ts";

function patternPixels(count: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => (i * 37 + seed * 11) % 256);
}

Deno.test("decodeImage keeps an RGB PNG at side exactly", async () => {
  const dir = await Deno.makeTempDir();
  const pixels = patternPixels(4 * 4 * 3, 1);
  await writeRawImage(join(dir, "a.png"), { width: 4, height: 4, channels: 3, pixels });

  assert.deepEqual(await decodeImage(join(dir, "a.png"), 4), pixels);
});

Deno.test("decodeImage drops alpha from RGBA", async () => {
  const dir = await Deno.makeTempDir();
  const rgba = patternPixels(3 * 3 * 4, 2);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 100;
  await writeRawImage(join(dir, "rgba.png"), { width: 3, height: 3, channels: 4, pixels: rgba });
  assert.equal((await sharp(join(dir, "rgba.png")).metadata()).channels, 4);

  const expected = rgba.filter((_, i) => i % 4 !== 3);
  assert.deepEqual(await decodeImage(join(dir, "rgba.png"), 3), expected);
});

Deno.test("decodeImage expands grey to 3 channels", async () => {
  const dir = await Deno.makeTempDir();
  const grey = patternPixels(2 * 2, 3);
  await writeRawImage(join(dir, "grey.png"), { width: 2, height: 2, channels: 1, pixels: grey });
  assert.equal((await sharp(join(dir, "grey.png")).metadata()).channels, 1);

  const expected = Uint8Array.from(Array.from(grey).flatMap((value) => [value, value, value]));
  assert.deepEqual(await decodeImage(join(dir, "grey.png"), 2), expected);
});

Deno.test("decodeImage reduces 16-bit PNG to 8 bits", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "deep.png");
  const raw = { width: 2, height: 2, channels: 3 as const };
  await sharp(new Uint8Array(12).fill(200), { raw }).toColourspace("rgb16").png().toFile(path);
  assert.equal((await sharp(path).metadata()).depth, "ushort");

  assert.deepEqual(await decodeImage(path, 2), new Uint8Array(12).fill(200));
});

Deno.test("decodeImage centre-crops a wide image", async () => {
  const dir = await Deno.makeTempDir();
  const columns = [[0, 0, 0], [0, 0, 0], [255, 0, 0], [255, 0, 0], [0, 0, 255], [0, 0, 255], [9, 9, 9], [
    9,
    9,
    9,
  ]];
  const pixels = new Uint8Array(8 * 4 * 3);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 8; x++) pixels.set(columns[x], (y * 8 + x) * 3);
  }
  await writeRawImage(join(dir, "wide.png"), { width: 8, height: 4, channels: 3, pixels });

  const decoded = await decodeImage(join(dir, "wide.png"), 4);
  const expectedRow = [columns[2], columns[3], columns[4], columns[5]].flat();
  for (let y = 0; y < 4; y++) {
    assert.deepEqual(Array.from(decoded.subarray(y * 12, y * 12 + 12)), expectedRow, `row ${y}`);
  }
});

Deno.test("decodeImage scales a JPEG to side", async () => {
  const dir = await Deno.makeTempDir();
  await writeSolidImage(join(dir, "big.jpg"), 16, 12, [200, 40, 90]);

  const decoded = await decodeImage(join(dir, "big.jpg"), 5);
  assert.equal(decoded.length, 5 * 5 * 3);
  for (let i = 0; i < decoded.length; i += 3) {
    assert.ok(Math.abs(decoded[i] - 200) <= 4, `red ${decoded[i]} at pixel ${i / 3}`);
    assert.ok(Math.abs(decoded[i + 1] - 40) <= 4, `green ${decoded[i + 1]} at pixel ${i / 3}`);
    assert.ok(Math.abs(decoded[i + 2] - 90) <= 4, `blue ${decoded[i + 2]} at pixel ${i / 3}`);
  }
});

Deno.test("decodeImages lists bad files and keeps order", async () => {
  const dir = await Deno.makeTempDir();
  await writeSolidImage(join(dir, "a.png"), 2, 2, [1, 2, 3]);
  await Deno.writeTextFile(join(dir, "b.png"), "not an image");
  await writeSolidImage(join(dir, "c.png"), 2, 2, [7, 8, 9]);
  const paths = ["a.png", "b.png", "c.png"].map((name) => join(dir, name));
  const progress: number[] = [];

  const { pixels, badImages } = await decodeImages(paths, {
    side: 2,
    concurrency: 2,
    onImageDone: (done) => progress.push(done),
  });

  assert.deepEqual(badImages.map((bad) => bad.path), [join(dir, "b.png")]);
  assert.ok(badImages[0].reason.length > 0);
  assert.deepEqual(Array.from(pixels.subarray(0, 3)), [1, 2, 3]);
  assert.deepEqual(Array.from(pixels.subarray(12, 15)), [0, 0, 0]);
  assert.deepEqual(Array.from(pixels.subarray(24, 27)), [7, 8, 9]);
  assert.deepEqual(progress, [1, 2, 3]);
});
