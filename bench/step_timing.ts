/**
 * Training-step throughput of the suite's ResNet-18, in tfjs and in PyTorch.
 *
 * `deno task perf --torch` alternates short timings of the two in rounds. Both
 * models stay built between rounds: tfjs in this process, PyTorch in one
 * `bench/torch_reference.py --serve` process that times a number of steps per line
 * it reads. So a round costs only its steps, and many short rounds fit where a
 * slow phase of a shared machine would otherwise hit one library and not the other.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { createResNet18, disposeResNet18, type ResNet18 } from "../engine/resnet.ts";
import { NesterovSgd } from "../engine/sgd.ts";
import { trainStep } from "../engine/train_step.ts";

/** Network, batch and step counts of a throughput measurement. */
export interface StepPerfOptions {
  width: number;
  batchSize: number;
  side: number;
  numClasses: number;
  /** Timed steps, after `warmup` untimed ones. */
  steps: number;
  warmup: number;
}

/**
 * The suite's ResNet-18 with its optimizer and one fixed random batch, so that only
 * the model's forward, backward and update are timed.
 */
export class TfjsStepTimer {
  private constructor(
    private readonly model: ResNet18,
    private readonly optimizer: NesterovSgd,
    private readonly images: tf.Tensor4D,
    private readonly targets: tf.Tensor2D,
  ) {}

  /** Builds the model and batch of `options` and runs its `warmup` steps. */
  static async start(options: StepPerfOptions): Promise<TfjsStepTimer> {
    const { width, batchSize, side, numClasses } = options;
    const model = createResNet18({ numClasses, width, imageSide: side, seed: 0 });
    const optimizer = new NesterovSgd({ momentum: 0.9, weightDecay: 5e-4, decayed: model.decayed });
    const images = tf.randomNormal([batchSize, side, side, 3], 0, 1, "float32", 1) as tf.Tensor4D;
    const targets = tf.tidy(() => {
      const labels = tf.tensor1d(Array.from({ length: batchSize }, (_, i) => i % numClasses), "int32");
      return tf.oneHot(labels, numClasses).toFloat() as tf.Tensor2D;
    });
    const timer = new TfjsStepTimer(model, optimizer, images, targets);
    try {
      for (let i = 0; i < options.warmup; i++) await timer.step();
    } catch (error) {
      timer.dispose();
      throw error;
    }
    return timer;
  }

  private async step(): Promise<void> {
    await trainStep(this.model, this.optimizer, this.images, this.targets, 0.01);
  }

  /** Runs `steps` training steps and returns the images per second over them. */
  async time(steps: number): Promise<number> {
    const start = performance.now();
    for (let i = 0; i < steps; i++) await this.step();
    return (this.images.shape[0] * steps) / ((performance.now() - start) / 1000);
  }

  /** Frees the model, optimizer state and batch. */
  dispose(): void {
    tf.dispose([this.images, this.targets]);
    this.optimizer.dispose();
    disposeResNet18(this.model);
  }
}

/**
 * Times `options.steps` training steps after `options.warmup` untimed ones.
 *
 * @returns Training images per second over the timed steps.
 */
export async function measureStepThroughput(options: StepPerfOptions): Promise<number> {
  const timer = await TfjsStepTimer.start(options);
  try {
    return await timer.time(options.steps);
  } finally {
    timer.dispose();
  }
}

/** PyTorch's throughput in one round, or why PyTorch was not timed. */
export type TorchResult =
  | { status: "measured"; imagesPerSecond: number; torchVersion: string; threads: number }
  | { status: "skipped"; reason: string };

/** Exit code of `bench/torch_reference.py` when PyTorch is not installed. */
const EXIT_NO_TORCH = 3;

/** Path of the PyTorch reference script. */
export const TORCH_REFERENCE_SCRIPT = fileURLToPath(new URL("./torch_reference.py", import.meta.url));

/** Reads a byte stream as text lines. */
class LineReader {
  private buffered = "";
  private readonly reader: ReadableStreamDefaultReader<string>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Returns the next line without its newline, or undefined at the end of the stream. */
  async next(): Promise<string | undefined> {
    while (!this.buffered.includes("\n")) {
      const { value, done } = await this.reader.read();
      if (done) {
        const rest = this.buffered;
        this.buffered = "";
        return rest === "" ? undefined : rest;
      }
      this.buffered += value;
    }
    const end = this.buffered.indexOf("\n");
    const line = this.buffered.slice(0, end);
    this.buffered = this.buffered.slice(end + 1);
    return line;
  }
}

/** Outcome of {@linkcode TorchStepServer.start}. */
export type TorchServerStart =
  | { status: "started"; server: TorchStepServer }
  | { status: "skipped"; reason: string };

/** A running `bench/torch_reference.py --serve` process with its model built and warmed up. */
export class TorchStepServer {
  private constructor(
    private readonly child: Deno.ChildProcess,
    private readonly input: WritableStreamDefaultWriter<Uint8Array>,
    private readonly lines: LineReader,
    private readonly stderr: Promise<string>,
    /** PyTorch's version, as `torch.__version__` gives it. */
    readonly torchVersion: string,
    /** PyTorch's intra-op threads. */
    readonly threads: number,
  ) {}

  /**
   * Starts the server with `python3` for the network and batch of `options` and waits
   * until its warm-up steps are done.
   *
   * @param script The script to run; tests pass a stand-in.
   * @returns The server, or `skipped` with the reason when Python or PyTorch is missing.
   * @throws {Error} when the script fails for another reason, with its stderr.
   */
  static async start(options: StepPerfOptions, script = TORCH_REFERENCE_SCRIPT): Promise<TorchServerStart> {
    const args = [
      script,
      "--serve",
      ...["--width", String(options.width), "--batch-size", String(options.batchSize)],
      ...["--side", String(options.side), "--classes", String(options.numClasses)],
      ...["--warmup", String(options.warmup)],
    ];
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command("python3", { args, stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
    } catch (error) {
      return { status: "skipped", reason: `python3 could not be started (${(error as Error).message})` };
    }
    const stderr = new Response(child.stderr).text();
    const lines = new LineReader(child.stdout);
    const input = child.stdin.getWriter();
    const ready = await lines.next();
    if (ready === undefined) {
      await input.close().catch(() => {});
      const { code } = await child.status;
      const message = (await stderr).trim();
      if (code === EXIT_NO_TORCH) return { status: "skipped", reason: message };
      throw new Error(`${script} --serve failed (exit ${code}): ${message}`);
    }
    let facts: Record<string, unknown>;
    try {
      facts = parseJsonLine(ready, script);
    } catch (error) {
      // Stop the server, so that a bad first line leaves no process behind.
      child.kill();
      await endServer(child, input, stderr);
      throw error;
    }
    return {
      status: "started",
      server: new TorchStepServer(child, input, lines, stderr, String(facts.torch), Number(facts.threads)),
    };
  }

  /** Times `steps` training steps in PyTorch and returns the images per second over them. */
  async time(steps: number): Promise<number> {
    await this.input.write(new TextEncoder().encode(`${steps}\n`));
    const line = await this.lines.next();
    if (line === undefined) {
      const { code } = await this.child.status;
      throw new Error(`torch_reference.py --serve stopped (exit ${code}): ${(await this.stderr).trim()}`);
    }
    const imagesPerSecond = Number(parseJsonLine(line, "torch_reference.py --serve").images_per_s);
    if (!(imagesPerSecond > 0)) {
      throw new Error(`torch_reference.py --serve gave an invalid images_per_s in "${line}"`);
    }
    return imagesPerSecond;
  }

  /** Ends the server's input, so that it exits, and waits for it. */
  async close(): Promise<void> {
    await endServer(this.child, this.input, this.stderr);
  }
}

/** Ends a server's input, then waits for the process to exit and for its stderr. */
async function endServer(
  child: Deno.ChildProcess,
  input: WritableStreamDefaultWriter<Uint8Array>,
  stderr: Promise<string>,
): Promise<void> {
  await input.close().catch(() => {});
  await child.status;
  await stderr;
}

function parseJsonLine(line: string, source: string): Record<string, unknown> {
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${source} printed "${line}", not a JSON line`);
  }
}

/** One round of the PyTorch comparison: tfjs and PyTorch timed back to back. */
export interface TorchRound {
  tfjsImagesPerSecond: number;
  torch: TorchResult;
}

/**
 * Times `rounds` rounds of `options.steps` steps, each round tfjs and then PyTorch,
 * with both models built once and warmed up with `options.warmup` steps.
 *
 * @param log Receives one line per round.
 * @param script The PyTorch script; tests pass a stand-in.
 * @returns One entry per round, or a single tfjs timing with the reason when PyTorch
 *   is not available.
 */
export async function compareWithTorch(
  options: StepPerfOptions,
  rounds: number,
  log: (line: string) => void,
  script = TORCH_REFERENCE_SCRIPT,
): Promise<TorchRound[]> {
  const started = await TorchStepServer.start(options, script);
  if (started.status === "skipped") {
    return [{ tfjsImagesPerSecond: await measureStepThroughput(options), torch: started }];
  }
  const { server } = started;
  let timer: TfjsStepTimer | undefined;
  try {
    timer = await TfjsStepTimer.start(options);
    const results: TorchRound[] = [];
    for (let round = 1; round <= rounds; round++) {
      log(`perf: timing width ${options.width} in tfjs and PyTorch, round ${round}/${rounds}`);
      const tfjsImagesPerSecond = await timer.time(options.steps);
      const imagesPerSecond = await server.time(options.steps);
      const torch = {
        status: "measured" as const,
        imagesPerSecond,
        torchVersion: server.torchVersion,
        threads: server.threads,
      };
      results.push({ tfjsImagesPerSecond, torch });
    }
    return results;
  } finally {
    timer?.dispose();
    await server.close();
  }
}
