/**
 * Loading of a streamed training split from an image folder: the images are
 * decoded straight into the decode-cache file, and later loads open that file
 * without reading its pixels into memory.
 *
 * @module
 */
import type { DecodedSplit } from "./bad_images.ts";
import { readOrIgnoreCache } from "./cache.ts";
import { openStreamedCache, type StreamedCache, writeStreamedCache } from "./cache_stream.ts";
import { decodeImagesInto } from "./decode_image.ts";
import type { ImageFileEntry } from "./image_folder_layout.ts";
import type { ImageFolderOptions } from "./image_folder.ts";
import type { StreamedSplit } from "./types.ts";

/**
 * Returns the streamed split of `files` from the cache file `key` in `cacheDir`,
 * decoding the images into that file first when it is missing or invalid. Images
 * that failed when the file was written are decoded again. When some of them
 * decode now, the whole split is decoded again, because a cache file is never
 * changed in place.
 *
 * @param root Dataset root folder, stored in the cache header.
 */
export async function loadStreamedSplit(
  files: ImageFileEntry[],
  root: string,
  cacheDir: string,
  key: string,
  options: ImageFolderOptions,
): Promise<DecodedSplit<StreamedSplit>> {
  const total = files.length;
  const cached = await readOrIgnoreCache(openStreamedCache(cacheDir, key));
  if (cached !== null) {
    options.onProgress?.({ split: "train", done: total, total, fromCache: true });
    const stillBad = await decodeFailedAgain(cached, files, options);
    if (stillBad !== null) return { split: cached.split, badImages: stillBad };
  }
  const labels = Int32Array.from(files, (file) => file.label);
  const contents = { key, source: root, labels, height: options.side, width: options.side };
  let badImages: DecodedSplit["badImages"] = [];
  const written = await writeStreamedCache(cacheDir, contents, async (write) => {
    badImages = await decodeImagesInto(files.map((file) => file.path), {
      side: options.side,
      concurrency: options.concurrency,
      onImageDone: (done) => options.onProgress?.({ split: "train", done, total, fromCache: false }),
    }, write);
    return badImages.map((bad) => bad.index);
  });
  return { split: written.split, badImages };
}

/** Returns the images that still fail, or `null` when at least one of them decodes now. */
async function decodeFailedAgain(
  cached: StreamedCache,
  files: ImageFileEntry[],
  options: ImageFolderOptions,
): Promise<DecodedSplit["badImages"] | null> {
  const indices = cached.badImageIndices;
  if (indices.length === 0) return [];
  let recovered = false;
  const badImages = await decodeImagesInto(
    indices.map((index) => files[index].path),
    { side: options.side, concurrency: options.concurrency },
    () => {
      recovered = true;
    },
  );
  return recovered ? null : badImages.map((bad) => ({ ...bad, index: indices[bad.index] }));
}
