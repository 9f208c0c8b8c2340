/**
 * `deno task stream-memory`: shows that the peak memory of batch preparation
 * grows with the training split when it is held in memory, and not when it is
 * streamed from the decode cache. It generates two 224 px image folders, the
 * second four times the size of the first, decodes them once, and measures one
 * epoch of batches in a fresh process per folder and mode.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { parseArgs } from "node:util";
import {
  CLASSES,
  generateImageFolder,
  measureEpochMemory,
  type MeasureOptions,
  type MemoryMeasurement,
} from "../bench/stream_memory.ts";
import { loadImageFolder } from "../datasets/image_folder.ts";
import { integerInRange, nonNegativeInteger, positiveInteger } from "../engine/option_values.ts";
import { parseMethodList } from "../methods/registry.ts";
import { defaultWorkerCount } from "../pipeline/mod.ts";

const USAGE = `Usage: deno task stream-memory [options]

Generates image folders of N/4 and N training images, decodes them once, then
prepares one epoch of batches from each, with the training images in memory and
streamed, each in a fresh process, and prints the peak resident memory.

Options:
  --train N          training images of the larger folder, at least ${4 * CLASSES} (default: 4000)
  --side N           image side in pixels, 8 to 4096 (default: 224)
  --batch-size N     images per batch (default: 64)
  --workers N        batch workers (default: as bench, ${defaultWorkerCount()} here)
  --method NAME      method whose batches are prepared (default: mi_adaptive)
  --dir DIR          folder for the generated images and their cache (default: a new
                     temporary folder, deleted at the end)
  -h, --help         print this help
`;

const MIB = 2 ** 20;
/** Difference in decoded size below which the peaks are within the garbage collector's noise. */
const SMALL_DIFFERENCE_BYTES = 256 * MIB;

async function measureInChild(options: MeasureOptions): Promise<MemoryMeasurement> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", fromFileUrl(import.meta.url), "--measure", JSON.stringify(options)],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`The measurement process failed with exit code ${output.code}.`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

function formatTable(rows: MemoryMeasurement[]): string {
  const lines = ["train images   mode       decoded MiB   RSS after load MiB   peak RSS MiB"];
  for (const row of rows) {
    lines.push(
      `${String(row.trainImages).padStart(12)}   ${(row.streamed ? "streamed" : "memory").padEnd(8)} ` +
        `${(row.decodedBytes / MIB).toFixed(0).padStart(13)} ${
          (row.loadedRssBytes / MIB).toFixed(0).padStart(20)
        } ` +
        `${(row.peakRssBytes / MIB).toFixed(0).padStart(14)}`,
    );
  }
  const [small, large] = rows.filter((row) => !row.streamed);
  if (large.decodedBytes - small.decodedBytes < SMALL_DIFFERENCE_BYTES) {
    lines.push(
      "NOTE: the two folders differ by less than 256 MiB of decoded images, within the garbage " +
        "collector's swings of the peak; use the default --train 4000 --side 224.",
    );
  }
  for (const streamed of [false, true]) {
    const [small, large] = rows.filter((row) => row.streamed === streamed);
    const growth = (large.peakRssBytes - small.peakRssBytes) / (large.decodedBytes - small.decodedBytes);
    lines.push(
      `${streamed ? "streamed" : "memory"}: peak grew by ${
        ((large.peakRssBytes - small.peakRssBytes) / MIB).toFixed(0)
      } MiB ` +
        `for ${((large.decodedBytes - small.decodedBytes) / MIB).toFixed(0)} MiB more decoded images ` +
        `(${growth.toFixed(2)} bytes per decoded byte)`,
    );
  }
  return lines.join("\n");
}

async function main(args: string[]): Promise<number> {
  if (args[0] === "--measure") {
    console.log(JSON.stringify(await measureEpochMemory(JSON.parse(args[1]))));
    return 0;
  }
  let values;
  try {
    values = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        train: { type: "string" },
        side: { type: "string" },
        "batch-size": { type: "string" },
        workers: { type: "string" },
        method: { type: "string", default: "mi_adaptive" },
        dir: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    console.error(`stream-memory: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const train = positiveInteger("--train", values.train, 4000);
    if (train < 4 * CLASSES) {
      throw new Error(
        `Invalid --train "${values.train}": expected an integer of ${4 * CLASSES} or more, so that the ` +
          `smaller folder, a quarter of it, has an image in each of the ${CLASSES} classes.`,
      );
    }
    const side = values.side === undefined ? 224 : integerInRange("--side", values.side, 8, 4096);
    const batchSize = positiveInteger("--batch-size", values["batch-size"], 64);
    const method = values.method!;
    if (method.includes(",") || parseMethodList(method).length !== 1) {
      throw new Error(`Invalid --method "${method}": expected one method name, for example mi_adaptive.`);
    }
    const workers = nonNegativeInteger("--workers", values.workers, defaultWorkerCount());
    const dir = values.dir ?? await Deno.makeTempDir({ prefix: "mials-stream-" });
    const cacheDir = join(dir, "cache");
    const rows: MemoryMeasurement[] = [];
    // Ctrl-C would otherwise leave the generated temporary folder behind.
    const onInterrupt = () => {
      if (values.dir === undefined) Deno.removeSync(dir, { recursive: true });
      Deno.exit(130);
    };
    Deno.addSignalListener("SIGINT", onInterrupt);
    try {
      for (const count of [Math.floor(train / 4), train]) {
        const root = join(dir, `folder-${count}`);
        console.error(`stream-memory: generating and decoding ${count} images of ${side} px in ${root}`);
        await generateImageFolder(root, count, side);
        await loadImageFolder(root, { side, cacheDir, stream: true });
        for (const streamed of [false, true]) {
          const options = { root, cacheDir, side, streamed, batchSize, workers, method };
          rows.push(await measureInChild(options));
        }
      }
    } finally {
      Deno.removeSignalListener("SIGINT", onInterrupt);
      if (values.dir === undefined) await Deno.remove(dir, { recursive: true });
    }
    console.log(formatTable(rows));
    return 0;
  } catch (error) {
    console.error(`stream-memory: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
