/**
 * Image decoding with sharp: any format sharp reads becomes `side` x `side`
 * 8-bit sRGB pixels with 3 channels in HWC order.
 *
 * @module
 */
import sharp from "sharp";
import { compareCodeUnits } from "./_compare.ts";
import { forEachWithConcurrency } from "./_pool.ts";

/**
 * File extensions treated as images, lower case. These are formats that the
 * prebuilt sharp 0.34 binaries decode. BMP is not among them. Of an animated GIF
 * or WebP, or a multi-page TIFF, only the first frame is read.
 */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  ".jpg",
  ".jpeg",
  ".png",
  ".webp",
  ".tif",
  ".tiff",
  ".gif",
  ".avif",
]);

/**
 * Resize rule, stored in cache keys so that a change here invalidates old caches.
 * Images are scaled with Lanczos-3 so that the shorter side equals `side`, then
 * cropped to the centred `side` x `side` square. An image already at that size is
 * returned unscaled.
 */
export const RESIZE_RULE = "cover-centre-lanczos3";

/** Pixel count per image times 3 channels: bytes of one decoded image. */
export function decodedImageBytes(side: number): number {
  return side * side * 3;
}

/**
 * Decodes one image file to `side` x `side` RGB pixels.
 *
 * Grey images are expanded to 3 equal channels, an alpha channel is dropped
 * without blending against a background, and 16-bit images are reduced to 8 bits.
 * EXIF orientation is not applied, so pixels keep their stored order. The resize rule is {@linkcode RESIZE_RULE}.
 *
 * @param path Image file path.
 * @param side Output width and height in pixels.
 * @returns `side * side * 3` bytes, HWC order, values 0..255.
 * @throws When sharp cannot decode the file.
 */
export async function decodeImage(path: string, side: number): Promise<Uint8Array> {
  const { data, info } = await sharp(path)
    .resize(side, side, { fit: "cover", position: "centre", kernel: "lanczos3" })
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });

  const expectedBytes = decodedImageBytes(side);
  if (info.channels !== 3 || data.length !== expectedBytes) {
    throw new Error(
      `sharp returned ${info.width}x${info.height}x${info.channels} (${data.length} bytes), ` +
        `expected ${side}x${side}x3`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/** A file that could not be decoded, with sharp's error message. */
export interface BadImage {
  /** Path of the image file. */
  path: string;
  /** Error message from sharp. */
  reason: string;
}

/** Options for {@linkcode decodeImages}. */
export interface DecodeImagesOptions {
  /** Output width and height in pixels. */
  side: number;
  /** Maximum number of images decoded at once. Default 8. */
  concurrency?: number;
  /** Called after each image, decoded or not, with the number finished so far. */
  onImageDone?: (done: number) => void;
}

/**
 * Decodes many image files into one contiguous pixel array, in the order given.
 *
 * A file that fails to decode does not stop the others. Its pixels stay zero
 * and it is listed in `badImages`, so the caller decides what to do with it.
 *
 * @param paths Image file paths.
 * @param options Output size, concurrency and a progress callback.
 * @returns Pixels with shape [paths.length, side, side, 3] and the files that failed.
 */
export async function decodeImages(
  paths: readonly string[],
  options: DecodeImagesOptions,
): Promise<{ pixels: Uint8Array; badImages: BadImage[] }> {
  const imageBytes = decodedImageBytes(options.side);
  const pixels = new Uint8Array(paths.length * imageBytes);
  const badImages: BadImage[] = [];
  let done = 0;

  await forEachWithConcurrency(paths, options.concurrency ?? 8, async (path, index) => {
    try {
      pixels.set(await decodeImage(path, options.side), index * imageBytes);
    } catch (error) {
      badImages.push({ path, reason: error instanceof Error ? error.message : String(error) });
    }
    done++;
    options.onImageDone?.(done);
  });

  badImages.sort((a, b) => compareCodeUnits(a.path, b.path));
  return { pixels, badImages };
}
