/**
 * Measurements behind `deno task stream-memory`: the peak memory of one epoch
 * of batch preparation on generated 224 px image folders of two sizes, with the
 * training images in memory and streamed from the decode cache. Each
 * measurement runs in a fresh process, so that its peak is its own.
 *
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { loadImageFolder } from "../datasets/image_folder.ts";
import { defaultCropPadding } from "../engine/augment.ts";
import { DEFAULT_TRAINING, type RunConfig } from "../engine/config.ts";
import { measureChannelStatistics } from "../engine/normalize.ts";
import { Random } from "../engine/random.ts";
import { defaultStem } from "../engine/resnet.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";
import { createMethod } from "../methods/registry.ts";
import { listBatches, openBatchSource } from "../pipeline/mod.ts";

/** Classes of the generated folders. */
export const CLASSES = 10;

/** Result of one measurement process. */
export interface MemoryMeasurement {
  trainImages: number;
  streamed: boolean;
  /** Bytes of the decoded training images. */
  decodedBytes: number;
  /** Largest resident set size seen during the epoch, in bytes. */
  peakRssBytes: number;
  /** Resident set size after loading, before the first batch, in bytes. */
  loadedRssBytes: number;
}

/** Settings of one measurement. */
export interface MeasureOptions {
  root: string;
  cacheDir: string;
  side: number;
  streamed: boolean;
  batchSize: number;
  workers: number;
  method: string;
}

/**
 * Writes `count` training and `CLASSES` val JPEG files of `side` px under `root`:
 * a colour gradient with noise, a different one per image. A folder that this
 * function already completed with the same arguments is left as it is, so that
 * its decoded-image cache stays valid.
 */
export async function generateImageFolder(
  root: string,
  count: number,
  side: number,
  seed = 0,
): Promise<void> {
  const marker = join(root, ".generated");
  const description = JSON.stringify({ count, side, seed });
  if (await Deno.readTextFile(marker).catch(() => "") === description) return;
  const random = new Random(seed);
  for (const [split, images] of [["train", count], ["val", CLASSES]] as const) {
    for (let i = 0; i < images; i++) {
      const folder = join(root, split, `class${String(i % CLASSES).padStart(2, "0")}`);
      if (i < CLASSES) await Deno.mkdir(folder, { recursive: true });
      await sharp(gradientImage(side, random), { raw: { width: side, height: side, channels: 3 } })
        .jpeg({ quality: 90 })
        .toFile(join(folder, `${String(i).padStart(6, "0")}.jpg`));
    }
  }
  await Deno.writeTextFile(marker, description);
}

function gradientImage(side: number, random: Random): Uint8Array {
  const start = [0, 1, 2].map(() => random.integer(256));
  const slope = [0, 1, 2].map(() => (random.uniform() - 0.5) * 2);
  const pixels = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      for (let c = 0; c < 3; c++) {
        const value = start[c] + slope[c] * (x + y) + 20 * (random.uniform() - 0.5);
        pixels[(y * side + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
  return pixels;
}

/**
 * Loads the folder and prepares one epoch of batches with the pool, sampling the
 * resident set size after each batch. Run it in a fresh process.
 */
export async function measureEpochMemory(options: MeasureOptions): Promise<MemoryMeasurement> {
  const dataset = await loadImageFolder(options.root, {
    side: options.side,
    cacheDir: options.cacheDir,
    stream: options.streamed,
  });
  const train = dataset.train;
  const config: RunConfig = {
    ...DEFAULT_TRAINING,
    method: options.method,
    dataset: options.root,
    seed: 0,
    epochs: 1,
    batchSize: options.batchSize,
    side: options.side,
    stem: defaultStem(options.side),
    cropPadding: defaultCropPadding(options.side),
    methodOptions: DEFAULT_METHOD_OPTIONS,
  };
  const run = {
    config,
    split: train,
    method: createMethod(options.method, DEFAULT_METHOD_OPTIONS),
    numClasses: dataset.classNames.length,
    statistics: measureChannelStatistics(train),
  };
  const loadedRssBytes = Deno.memoryUsage().rss;
  let peakRssBytes = loadedRssBytes;
  const steps = Math.ceil(train.count / options.batchSize);
  const source = openBatchSource(run, listBatches(0, train.count, options.batchSize, 0, 1), {
    workers: options.workers,
  });
  try {
    for (let step = 0; step < steps; step++) {
      await source.next();
      peakRssBytes = Math.max(peakRssBytes, Deno.memoryUsage().rss);
    }
  } finally {
    source.close();
  }
  return {
    trainImages: train.count,
    streamed: options.streamed,
    decodedBytes: train.count * options.side * options.side * 3,
    peakRssBytes,
    loadedRssBytes,
  };
}
