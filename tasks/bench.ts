/**
 * `deno task bench`: trains every requested method and seed with the ResNet-18
 * harness and stores the results. Run with `--help` for the options.
 *
 * @module
 */
import { runBench } from "../engine/bench.ts";
import { BENCH_USAGE, parseBenchOptions } from "../engine/bench_options.ts";
import { createProgressWriter } from "./progress.ts";

/**
 * Rewrites node:util's message for an option whose value starts with "-"
 * (such as `--epochs -1`), which parseArgs reads as a missing value.
 */
function describeOptionError(error: Error): string {
  const code = (error as Error & { code?: string }).code;
  const option = /'(--[a-z-]+)/.exec(error.message)?.[1];
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option !== undefined) {
    return `Missing value for ${option}. A value that starts with "-" must be written ${option}=VALUE.`;
  }
  return error.message;
}

/**
 * Checks before any work that the results folder is a folder or can be created.
 *
 * @throws {Error} naming the path when it is a file.
 */
async function requireResultsFolder(path: string): Promise<void> {
  const info = await Deno.stat(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (info !== undefined && !info.isDirectory) {
    throw new Error(`--results ${path} is a file, not a folder. Pass a folder (it is created when missing).`);
  }
}

async function main(args: string[]): Promise<number> {
  let plan;
  try {
    plan = parseBenchOptions(args);
  } catch (error) {
    console.error(
      `bench: ${describeOptionError(error as Error)}\nRun \`deno task bench --help\` for the options.`,
    );
    return 2;
  }
  if (plan === "help") {
    console.log(BENCH_USAGE);
    return 0;
  }
  const progress = createProgressWriter();
  Deno.addSignalListener("SIGINT", () => {
    progress.clear();
    console.error(
      "bench: interrupted. Finished epochs are kept in their checkpoints; " +
        "run the same command again to resume.",
    );
    Deno.exit(130);
  });
  try {
    await requireResultsFolder(plan.resultsRoot);
    const outcomes = await runBench(plan, {
      log: (line) => progress.log(line),
      progress: (line) => progress.update(line),
    });
    progress.clear();
    const failed = outcomes.filter((outcome) => outcome.status === "failed");
    const finished = outcomes.filter((outcome) => outcome.status === "finished").length;
    const inUse = outcomes.filter((outcome) => outcome.status === "in_use").length;
    const skipped = outcomes.length - finished - failed.length - inUse;
    const inUseNote = inUse > 0 ? `, ${inUse} in use by another bench` : "";
    console.error(
      `bench: ${finished} finished, ${skipped} skipped${inUseNote}, ${failed.length} failed; ` +
        `results in ${plan.resultsRoot}`,
    );
    return failed.length > 0 ? 1 : 0;
  } catch (error) {
    progress.clear();
    console.error(`bench: ${(error as Error).message}`);
    return 1;
  }
}

Deno.exit(await main(Deno.args));
