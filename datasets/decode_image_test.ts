import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { cropCentre, decodeImage, decodeImages, MAX_FULLY_DECODED_ASPECT_RATIO } from "./decode_image.ts";
import { writeRawImage, writeSolidImage, writeTruncatedJpeg } from "./_test_images.ts";

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
  assert.equal(badImages[0].index, 1);
  assert.ok(badImages[0].reason.length > 0);
  assert.deepEqual(Array.from(pixels.subarray(0, 3)), [1, 2, 3]);
  assert.deepEqual(Array.from(pixels.subarray(12, 15)), [0, 0, 0]);
  assert.deepEqual(Array.from(pixels.subarray(24, 27)), [7, 8, 9]);
  assert.deepEqual(progress, [1, 2, 3]);
});

/** Asserts that every pixel of `decoded` is within `tolerance` of `rgb` in each channel. */
function assertNearColour(decoded: Uint8Array, rgb: number[], tolerance: number, label: string): void {
  assert.equal(decoded.length % 3, 0, `${label}: byte count ${decoded.length}`);
  for (let i = 0; i < decoded.length; i += 3) {
    const pixel = Array.from(decoded.subarray(i, i + 3));
    const near = pixel.every((value, c) => Math.abs(value - rgb[c]) <= tolerance);
    assert.ok(near, `${label}: pixel ${i / 3} is ${pixel}, expected ${rgb} +- ${tolerance}`);
  }
}

Deno.test("decodeImages names each failure's own cause", async () => {
  // sharp 0.34 reads libvips' process-wide error buffer, so concurrent failures
  // can lose their message or pick up another file's; each must come out clean.
  const dir = await Deno.makeTempDir();
  const paths: string[] = [];
  for (let i = 0; i < 30; i++) {
    paths.push(join(dir, `${i}-cut.jpg`));
    await writeTruncatedJpeg(paths.at(-1)!, 64, 64, 0.5);
    paths.push(join(dir, `${i}-good.png`));
    await writeSolidImage(paths.at(-1)!, 256, 256, [i, i, i]);
  }

  const { badImages } = await decodeImages(paths, { side: 8, concurrency: 32 });

  assert.equal(badImages.length, 30);
  for (const bad of badImages) {
    assert.match(bad.path, /-cut\.jpg$/);
    assert.equal(bad.reason, "VipsJpeg: premature end of JPEG image", bad.path);
  }
});

Deno.test("decodeImage converts CMYK JPEG to RGB", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "cmyk.jpg");
  const rgb = [180, 120, 90];
  const pixels = new Uint8Array(8 * 8 * 3);
  for (let i = 0; i < 64; i++) pixels.set(rgb, i * 3);
  await sharp(pixels, { raw: { width: 8, height: 8, channels: 3 } }).toColourspace("cmyk").jpeg().toFile(
    path,
  );
  const metadata = await sharp(path).metadata();
  assert.equal(metadata.space, "cmyk");
  assert.equal(metadata.channels, 4);

  assertNearColour(await decodeImage(path, 4), rgb, 8, "CMYK");
});

Deno.test("decodeImage reads palette PNG with alpha", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "palette.png");
  // Two colours, one half transparent, so the palette stores both exactly.
  const rgba = new Uint8Array(4 * 4 * 4);
  for (let i = 0; i < 16; i++) rgba.set(i % 2 === 0 ? [250, 120, 5, 255] : [10, 200, 30, 128], i * 4);
  await sharp(rgba, { raw: { width: 4, height: 4, channels: 4 } }).png({ palette: true }).toFile(path);
  const metadata = await sharp(path).metadata();
  assert.equal(metadata.isPalette, true);
  assert.equal(metadata.hasAlpha, true);

  const decoded = await decodeImage(path, 4);

  assert.equal(decoded.length, 4 * 4 * 3);
  for (let i = 0; i < 16; i++) {
    const expected = i % 2 === 0 ? [250, 120, 5] : [10, 200, 30];
    assertNearColour(decoded.subarray(i * 3, i * 3 + 3), expected, 2, `palette pixel ${i}`);
  }
});

Deno.test("decodeImage reduces 16-bit grey to RGB", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "grey16.png");
  const raw = { width: 2, height: 2, channels: 1 as const };
  await sharp(Uint8Array.from([0, 77, 200, 255]), { raw }).toColourspace("grey16").png().toFile(path);
  const metadata = await sharp(path).metadata();
  assert.equal(metadata.depth, "ushort");
  assert.equal(metadata.channels, 1);

  const expected = Uint8Array.from([0, 0, 0, 77, 77, 77, 200, 200, 200, 255, 255, 255]);
  assert.deepEqual(await decodeImage(path, 2), expected);
});

Deno.test("decodeImage drops alpha from grey with alpha", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "grey-alpha.png");
  const pixels = Uint8Array.from([10, 255, 90, 0, 160, 128, 240, 60]);
  await writeRawImage(path, { width: 2, height: 2, channels: 2, pixels });
  assert.equal((await sharp(path).metadata()).channels, 2);

  const expected = Uint8Array.from([10, 10, 10, 90, 90, 90, 160, 160, 160, 240, 240, 240]);
  assert.deepEqual(await decodeImage(path, 2), expected);
});

Deno.test("decodeImage reduces 16-bit RGBA to RGB", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "rgba16.png");
  const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 100, 0, 0, 255, 0, 30, 60, 90, 200]);
  await sharp(rgba, { raw: { width: 2, height: 2, channels: 4 } }).toColourspace("rgb16").png().toFile(path);
  const metadata = await sharp(path).metadata();
  assert.equal(metadata.depth, "ushort");
  assert.equal(metadata.channels, 4);

  const expected = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 30, 60, 90]);
  assert.deepEqual(await decodeImage(path, 2), expected);
});

Deno.test("decodeImage rejects a JPEG cut in half", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "half.jpg");
  await writeTruncatedJpeg(path, 64, 64, 0.5);

  await assert.rejects(decodeImage(path, 8), /premature end of JPEG/i);
});

Deno.test("decodeImage rejects a truncated PNG", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "cut.png");
  const pixels = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 7919) % 256);
  const png = await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
  await Deno.writeFile(path, png.subarray(0, png.length >> 1));

  await assert.rejects(decodeImage(path, 8), /pngload/);
});

Deno.test("decodeImage rejects truncation outside the crop", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "tall.jpg");
  // The centre crop of this 64x256 image needs source rows 96 to 160 only, and the
  // cut removes rows near the bottom, which a crop during decoding never reads.
  await writeTruncatedJpeg(path, 64, 256, 0.9);

  await assert.rejects(decodeImage(path, 8), /premature end of JPEG/i);
});

Deno.test("decodeImage rejects empty and non-image files", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(join(dir, "empty.jpg"), new Uint8Array());
  await Deno.writeTextFile(join(dir, "text.png"), "this is not a PNG");

  await assert.rejects(decodeImage(join(dir, "empty.jpg"), 4), /empty file \(0 bytes\)/);
  await assert.rejects(decodeImage(join(dir, "text.png"), 4), /unsupported image format/i);
});

Deno.test("decodeImage matches sharp's cover crop", async () => {
  const dir = await Deno.makeTempDir();
  const sizes = [[8, 4, 4], [7, 3, 5], [3, 9, 2], [40, 25, 16], [5, 5, 9], [33, 100, 10]];
  for (const [width, height, side] of sizes) {
    for (const extension of ["png", "jpg"]) {
      const path = join(dir, `${width}x${height}.${extension}`);
      const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 53 + (i % 7) * 19) % 256);
      await writeRawImage(path, { width, height, channels: 3, pixels });

      const expected = await sharp(path)
        .resize(side, side, { fit: "cover", position: "centre", kernel: "lanczos3" })
        .toColourspace("srgb")
        .raw()
        .toBuffer();
      const label = `${width}x${height} ${extension} at side ${side}`;
      assert.deepEqual(await decodeImage(path, side), new Uint8Array(expected), label);
    }
  }
});

Deno.test("decodeImage crops a very wide image", async () => {
  const dir = await Deno.makeTempDir();
  const width = 4 * (MAX_FULLY_DECODED_ASPECT_RATIO + 1);
  const pixels = new Uint8Array(width * 4 * 3);
  for (let i = 0; i < width * 4; i++) pixels.set(i % width < width / 2 ? [250, 0, 0] : [0, 0, 250], i * 3);
  await writeRawImage(join(dir, "banner.png"), { width, height: 4, channels: 3, pixels });

  const decoded = await decodeImage(join(dir, "banner.png"), 4);

  assert.deepEqual(Array.from(decoded.subarray(0, 3)), [250, 0, 0], "left half");
  assert.deepEqual(Array.from(decoded.subarray(9, 12)), [0, 0, 250], "right half");
});

Deno.test("cropCentre rounds offsets like sharp", () => {
  // 5x4 image with value 10 * y + x in every channel; a 2x2 crop starts at x = 2, y = 1.
  const pixels = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => {
    const pixel = Math.floor(i / 3);
    return 10 * Math.floor(pixel / 5) + (pixel % 5);
  });

  const cropped = cropCentre(pixels, 5, 4, 2);

  const firstChannel = Array.from(cropped.filter((_, i) => i % 3 === 0));
  assert.deepEqual(firstChannel, [12, 13, 22, 23]);
});
