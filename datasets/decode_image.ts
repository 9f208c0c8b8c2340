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
 * Sensitivity of libvips to invalid pixel data, passed to sharp as `failOn`.
 * `"warning"` is the most sensitive level and sharp 0.34's default, set here so
 * that a change of default cannot loosen it. It rejects truncated JPEG and PNG
 * files. NOTE: a JPEG whose entropy-coded data is overwritten but not cut short
 * decodes without error at every level in sharp 0.34.5, so that damage passes.
 */
export const DECODE_FAIL_ON = "warning";

/**
 * Maximum ratio of the longer to the shorter image side for which every pixel
 * row and column is decoded. Wider or taller images are cropped while they are
 * decoded, which bounds memory but lets damage outside the crop go unnoticed.
 */
export const MAX_FULLY_DECODED_ASPECT_RATIO = 16;

/**
 * Decodes one image file to `side` x `side` RGB pixels.
 *
 * Grey images are expanded to 3 equal channels, CMYK images are converted with
 * their embedded ICC profile or libvips' default CMYK profile, an alpha channel is
 * dropped without blending against a background, and 16-bit images are reduced to
 * 8 bits. EXIF orientation is not applied, so pixels keep their stored order. The
 * resize rule is {@linkcode RESIZE_RULE}.
 *
 * libvips decodes lazily: with a crop in the pipeline, a baseline JPEG is not read
 * past the last row the crop needs, so a file truncated below it would pass. The
 * image is therefore resized whole and cropped here, unless its aspect ratio
 * exceeds {@linkcode MAX_FULLY_DECODED_ASPECT_RATIO}.
 *
 * @param path Image file path.
 * @param side Output width and height in pixels.
 * @returns `side * side * 3` bytes, HWC order, values 0..255.
 * @throws When the file cannot be read or is empty, when sharp cannot decode it,
 * or when sharp reports invalid pixel data at level {@linkcode DECODE_FAIL_ON}.
 */
export async function decodeImage(path: string, side: number): Promise<Uint8Array> {
  // One read serves both the header and the pixels, which is faster for small
  // images than letting sharp open the file twice.
  const bytes = await Deno.readFile(path);
  if (bytes.length === 0) throw new Error("empty file (0 bytes)");
  const image = sharp(bytes, { failOn: DECODE_FAIL_ON });
  const { width, height } = await image.metadata();
  const aspectRatio = Math.max(width, height) / Math.min(width, height);
  if (aspectRatio > MAX_FULLY_DECODED_ASPECT_RATIO) return await decodeCroppedWhileDecoding(image, side);

  const { data, info } = await toRgb(image.resize(side, side, { fit: "outside", kernel: "lanczos3" }));
  if (info.channels !== 3 || Math.min(info.width, info.height) !== side) {
    throw new Error(
      `sharp returned ${info.width}x${info.height}x${info.channels}, expected a shorter side of ${side} ` +
        `and 3 channels`,
    );
  }
  return cropCentre(data, info.width, info.height, side);
}

async function decodeCroppedWhileDecoding(image: sharp.Sharp, side: number): Promise<Uint8Array> {
  const { data, info } = await toRgb(
    image.resize(side, side, { fit: "cover", position: "centre", kernel: "lanczos3" }),
  );
  const expectedBytes = decodedImageBytes(side);
  if (info.channels !== 3 || data.length !== expectedBytes) {
    throw new Error(
      `sharp returned ${info.width}x${info.height}x${info.channels} (${data.length} bytes), ` +
        `expected ${side}x${side}x3`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

function toRgb(image: sharp.Sharp): Promise<{ data: Uint8Array; info: sharp.OutputInfo }> {
  return image.toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
}

/**
 * Copies the centred `side` x `side` square out of HWC RGB pixels. The offsets
 * round as sharp 0.34 does for `position: "centre"` (`CalculateCrop` in
 * `src/common.cc`), so the result equals sharp's own `fit: "cover"` crop.
 */
export function cropCentre(pixels: Uint8Array, width: number, height: number, side: number): Uint8Array {
  const left = Math.floor((width - side + 1) / 2);
  const top = Math.floor((height - side + 1) / 2);
  const rowBytes = side * 3;
  const output = new Uint8Array(decodedImageBytes(side));
  for (let y = 0; y < side; y++) {
    const start = ((top + y) * width + left) * 3;
    output.set(pixels.subarray(start, start + rowBytes), y * rowBytes);
  }
  return output;
}

/** A file that could not be decoded, with sharp's error message. */
export interface BadImage {
  /** Position of the file in the list that was decoded. */
  index: number;
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

/** Receives one decoded image, [side, side, 3], and its position in the list of files. */
export type DecodedImageSink = (index: number, pixels: Uint8Array) => void | Promise<void>;

/**
 * Decodes many image files into one contiguous pixel array, in the order given.
 * {@linkcode decodeImagesInto} describes how failures are handled.
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
  const badImages = await decodeImagesInto(
    paths,
    options,
    (index, image) => pixels.set(image, index * imageBytes),
  );
  return { pixels, badImages };
}

/**
 * Decodes many image files and hands each decoded image to `sink`, so that the
 * caller decides where the pixels go (memory, or a file for streamed splits).
 *
 * A file that fails to decode does not stop the others. It never reaches `sink`
 * and is listed in the result, so the caller decides what to do with it. An error
 * from `sink` stops the decoding and is raised.
 * Each failed file is decoded once more after the others, alone: sharp 0.34 reads
 * libvips' process-wide error buffer, so the message of a failure during
 * concurrent decoding can be empty or carry another file's warning. A file that
 * decodes on this second try is kept.
 *
 * @returns The files that failed, sorted by path.
 */
export async function decodeImagesInto(
  paths: readonly string[],
  options: DecodeImagesOptions,
  sink: DecodedImageSink,
): Promise<BadImage[]> {
  const failedIndices: number[] = [];
  let done = 0;

  // A sink that fails (a full disk, say) stops the decoding: the remaining files are not read.
  await forEachWithConcurrency(paths, options.concurrency ?? 8, async (path, index) => {
    let pixels: Uint8Array | undefined;
    try {
      pixels = await decodeImage(path, options.side);
    } catch {
      failedIndices.push(index);
    }
    if (pixels !== undefined) await sink(index, pixels);
    done++;
    options.onImageDone?.(done);
  }, true);

  const badImages: BadImage[] = [];
  for (const index of failedIndices) {
    let pixels: Uint8Array;
    try {
      pixels = await decodeImage(paths[index], options.side);
    } catch (error) {
      badImages.push({
        index,
        path: paths[index],
        reason: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    await sink(index, pixels);
  }
  badImages.sort((a, b) => compareCodeUnits(a.path, b.path));
  return badImages;
}
