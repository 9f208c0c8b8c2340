import assert from "node:assert/strict";
import sharp from "sharp";
import { CHROMA_QUANTIZATION, jpegRoundTrip, LUMA_QUANTIZATION, scaleQuantizationTable } from "./_jpeg.ts";
import { constantImage, meanAbsoluteDifference, sceneImage, smoothImage } from "./_testing.ts";

Deno.test("scaleQuantizationTable follows the IJG formula", () => {
  assert.deepEqual(scaleQuantizationTable(LUMA_QUANTIZATION, 50), LUMA_QUANTIZATION);
  assert.deepEqual(scaleQuantizationTable(CHROMA_QUANTIZATION, 100), new Int32Array(64).fill(1));
  // Quality 80: scale 40, so 16 -> floor((640 + 50) / 100) = 6 and 99 -> 40.
  const quality80 = scaleQuantizationTable(LUMA_QUANTIZATION, 80);
  assert.equal(quality80[0], 6);
  assert.equal(quality80[63], 40);
  // Quality 10: scale 500, so 16 -> 80 and 99 -> 495, clamped to 255 for baseline.
  const quality10 = scaleQuantizationTable(LUMA_QUANTIZATION, 10);
  assert.equal(quality10[0], 80);
  assert.equal(quality10[63], 255);
  assert.throws(
    () => scaleQuantizationTable(LUMA_QUANTIZATION, 0),
    /quality must be an integer in \[1, 100\], got 0/,
  );
});

Deno.test("jpegRoundTrip at quality 100 is close to identity", () => {
  const image = smoothImage(32, 32);
  const full = jpegRoundTrip(image, 32, 32, 100, "4:4:4");
  let maxError = 0;
  for (let i = 0; i < image.length; i++) maxError = Math.max(maxError, Math.abs(full[i] - image[i]));
  assert.ok(maxError <= 4 / 255, `max error ${maxError * 255} / 255`);
  assert.ok(meanAbsoluteDifference(full, image) < 0.004);
  assert.ok(meanAbsoluteDifference(jpegRoundTrip(image, 32, 32, 100), image) < 0.005);
});

Deno.test("jpegRoundTrip keeps a flat 8-bit gray exactly", () => {
  const gray = constantImage(16, 16, [128 / 255, 128 / 255, 128 / 255]);
  for (const quality of [5, 40, 80]) assert.deepEqual(jpegRoundTrip(gray, 16, 16, quality), gray);
});

Deno.test("jpegRoundTrip shows blocks at low quality", () => {
  // Compare steps between horizontal neighbours across 8-pixel block boundaries with
  // steps inside blocks, on the green channel of a diagonal ramp.
  const side = 64;
  const image = new Float32Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      image.fill(0.2 + (0.6 * (x + y)) / (2 * side), (y * side + x) * 3, (y * side + x + 1) * 3);
    }
  }
  const output = jpegRoundTrip(image, side, side, 5);
  let boundary = 0;
  let inside = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 1; x < side; x++) {
      const step = Math.abs(output[(y * side + x) * 3 + 1] - output[(y * side + x - 1) * 3 + 1]);
      if (x % 8 === 0) boundary += step / (7 * side);
      else inside += step / (56 * side);
    }
  }
  assert.ok(boundary > 2 * inside, `boundary step ${boundary}, inside step ${inside}`);
});

Deno.test("jpegRoundTrip error grows as quality drops", () => {
  const image = smoothImage(32, 32);
  const errors = [95, 80, 60, 40, 20, 10].map((quality) =>
    meanAbsoluteDifference(jpegRoundTrip(image, 32, 32, quality), image)
  );
  for (let i = 1; i < errors.length; i++) assert.ok(errors[i] > errors[i - 1], `errors ${errors}`);
});

Deno.test("jpegRoundTrip outputs 8-bit levels on odd sizes", () => {
  const image = sceneImage(13, 21);
  const output = jpegRoundTrip(image, 13, 21, 50);
  assert.equal(output.length, image.length);
  for (const value of output) {
    assert.ok(value >= 0, `${value}`);
    assert.ok(value <= 1, `${value}`);
    assert.ok(Math.abs(value * 255 - Math.round(value * 255)) < 1e-4, `${value}`);
  }
  assert.throws(
    () => jpegRoundTrip(image, 13, 21, 50, "4:2:2" as "4:4:4"),
    /subsampling must be "4:2:0" or "4:4:4"/,
  );
});

Deno.test("jpegRoundTrip matches libjpeg through sharp", async () => {
  // sharp's encoder (libvips) uses the same Annex K tables, IJG quality scaling and
  // 4:2:0 subsampling by default. The differences left are its integer DCT and
  // rounding, well below the compression error itself.
  for (
    const [height, width, image] of [[32, 32, sceneImage(32, 32)], [13, 21, sceneImage(13, 21)]] as const
  ) {
    const bytes = Uint8Array.from(image, (value) => Math.round(value * 255));
    for (const quality of [80, 65, 58, 50, 40, 10]) {
      const encoded = await sharp(bytes, { raw: { width, height, channels: 3 } })
        .jpeg({ quality, chromaSubsampling: "4:2:0" })
        .toBuffer();
      const decoded = await sharp(encoded).raw().toBuffer();
      const ours = jpegRoundTrip(image, height, width, quality);
      let difference = 0;
      let compressionError = 0;
      for (let i = 0; i < ours.length; i++) {
        difference += Math.abs(ours[i] * 255 - decoded[i]) / ours.length;
        compressionError += Math.abs(decoded[i] - bytes[i]) / ours.length;
      }
      const label = `${height}x${width} at quality ${quality}`;
      assert.ok(difference < 1, `${label}: mean difference ${difference} / 255`);
      assert.ok(
        difference < compressionError / 5,
        `${label}: ${difference} vs compression error ${compressionError}`,
      );
    }
  }
});
