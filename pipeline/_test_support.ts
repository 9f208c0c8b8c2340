/**
 * A small random split and run configuration for the pipeline tests.
 *
 * @module
 */
import { writeStreamedCache } from "../datasets/cache_stream.ts";
import type { ImageSplit, StreamedSplit } from "../datasets/types.ts";
import { defaultCropPadding } from "../engine/augment.ts";
import { DEFAULT_TRAINING, type RunConfig } from "../engine/config.ts";
import { Random } from "../engine/random.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";

export const SIDE = 8;
export const NUM_CLASSES = 3;

/** Returns `count` random 8 x 8 images with labels cycling over 3 classes. */
export function randomSplit(count: number, seed = 7): ImageSplit {
  const random = new Random(seed);
  const images = Uint8Array.from({ length: count * SIDE * SIDE * 3 }, () => random.integer(256));
  const labels = Int32Array.from({ length: count }, (_, i) => i % NUM_CLASSES);
  return { images, labels, count, height: SIDE, width: SIDE };
}

/** Returns a run configuration for `method` on {@linkcode randomSplit} images. */
export function pipelineConfig(method: string, overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    ...DEFAULT_TRAINING,
    method,
    dataset: "random",
    seed: 3,
    epochs: 2,
    batchSize: 4,
    side: SIDE,
    stem: "cifar",
    cropPadding: defaultCropPadding(SIDE),
    methodOptions: DEFAULT_METHOD_OPTIONS,
    ...overrides,
  };
}

/** Writes `split` to a streamed cache file in a new temporary folder and returns the streamed split. */
export async function streamedCopy(split: ImageSplit): Promise<StreamedSplit> {
  const imageBytes = split.height * split.width * 3;
  const contents = {
    key: "copy",
    source: "test",
    labels: split.labels,
    height: split.height,
    width: split.width,
  };
  const written = await writeStreamedCache(await Deno.makeTempDir(), contents, async (write) => {
    for (let i = 0; i < split.count; i++) {
      await write(i, split.images.slice(i * imageBytes, (i + 1) * imageBytes));
    }
    return [];
  });
  return written.split;
}
