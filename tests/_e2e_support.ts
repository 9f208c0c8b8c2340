/**
 * Helpers of the end-to-end tests: a generated image folder, and the `bench`
 * and `report` tasks run as subprocesses.
 *
 * @module
 */
import { join } from "node:path";
import { writeRawImage } from "../datasets/_test_images.ts";
import { Random } from "../engine/random.ts";

/** `bench` options that skip the robustness evaluation, for tests about other things. */
export const NO_ROBUSTNESS = ["--corruptions", "none", "--distortion-levels", "none"];

/** Root of the repository, where the tasks run. */
export const REPO_ROOT = new URL("..", import.meta.url).pathname;

/**
 * Writes a two-class image folder (`reds`, `blues`) of noisy 16 x 16 PNGs:
 * `trainPerClass` training and `valPerClass` validation images per class.
 */
export async function writeDataset(root: string, trainPerClass = 6, valPerClass = 3): Promise<void> {
  const random = new Random(42);
  const colors: Record<string, [number, number, number]> = { reds: [200, 40, 40], blues: [40, 40, 200] };
  for (const [split, count] of [["train", trainPerClass], ["val", valPerClass]] as const) {
    for (const [name, color] of Object.entries(colors)) {
      const folder = join(root, split, name);
      await Deno.mkdir(folder, { recursive: true });
      for (let i = 0; i < count; i++) {
        const pixels = new Uint8Array(16 * 16 * 3);
        for (let p = 0; p < pixels.length; p++) {
          pixels[p] = Math.max(0, Math.min(255, color[p % 3] + Math.round(random.normal() * 30)));
        }
        await writeRawImage(join(folder, `${i}.png`), { width: 16, height: 16, channels: 3, pixels });
      }
    }
  }
}

/** Reads `epochs.jsonl` of a run folder as objects. */
export function readEpochs(runFolder: string): Record<string, unknown>[] {
  const lines = Deno.readTextFileSync(join(runFolder, "epochs.jsonl")).trim().split("\n");
  return lines.map((line) => JSON.parse(line));
}

/** Drops the wall-clock fields, which differ between identical runs. */
export function withoutTimings(epoch: Record<string, unknown>): Record<string, unknown> {
  const { trainImagesPerSecond: _speed, epochSeconds: _seconds, dataSeconds: _data, ...rest } = epoch;
  return rest;
}

/** Builds the command that runs a task script with every permission. */
export function taskCommand(script: string, args: string[], piped = true): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", join(REPO_ROOT, script), ...args],
    cwd: REPO_ROOT,
    // Tasks resolve relative paths from INIT_CWD, which `deno task test` sets to where it started.
    env: { TF_CPP_MIN_LOG_LEVEL: "2", INIT_CWD: REPO_ROOT },
    stdout: piped ? "piped" : "null",
    stderr: piped ? "piped" : "null",
  });
}

/** Runs a task script to its end and returns its exit code and output. */
export async function runTask(
  script: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await taskCommand(script, args).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}
