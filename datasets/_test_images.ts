/**
 * Helpers that write tiny image files for the dataset tests.
 *
 * @module
 */
import sharp from "sharp";

/** Pixel layout of a raw image given to {@linkcode writeRawImage}. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  /** Pixels in HWC order, `width * height * channels` bytes. */
  pixels: Uint8Array;
}

/**
 * Encodes raw pixels to an image file; the format follows the file extension
 * (`.png`, `.jpg`, `.webp` or `.tif`).
 */
export async function writeRawImage(path: string, image: RawImage): Promise<void> {
  const raw = { width: image.width, height: image.height, channels: image.channels };
  let encoder = sharp(image.pixels, { raw });
  // sharp writes sRGB by default, which would turn a grey input into 3 channels.
  if (image.channels <= 2) encoder = encoder.toColourspace("b-w");
  await encoder.toFile(path);
}

/** Writes a `width` x `height` image of one RGB colour. */
export async function writeSolidImage(
  path: string,
  width: number,
  height: number,
  rgb: [number, number, number],
): Promise<void> {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set(rgb, i * 3);
  await writeRawImage(path, { width, height, channels: 3, pixels });
}

/**
 * Writes a baseline JPEG of varied pixels and keeps only the first `fraction`
 * of its bytes, as a download cut short would.
 */
export async function writeTruncatedJpeg(
  path: string,
  width: number,
  height: number,
  fraction: number,
): Promise<void> {
  const pixels = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7919 + (i >> 5) * 31) % 256);
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  await Deno.writeFile(path, jpeg.subarray(0, Math.floor(jpeg.length * fraction)));
}
