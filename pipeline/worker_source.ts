/**
 * A pool of Deno workers that prepares training batches ahead of the training
 * step. Requests go to the worker with the fewest outstanding batches, and batches
 * come back in training order, whichever worker finishes first.
 *
 * @module
 */
import type { BatchSpec, PreparedBatch } from "./prepare.ts";
import type { BatchSource } from "./source.ts";
import type { WorkerReply, WorkerRequest, WorkerSetup } from "./worker_messages.ts";

/** Pool size and prefetch depth. */
export interface PoolOptions {
  /** Number of workers, at least 1. */
  workers: number;
  /** Number of batches requested but not yet taken, at least 1. */
  prefetch: number;
}

interface PendingBatch {
  promise: Promise<PreparedBatch>;
  resolve(batch: PreparedBatch): void;
  reject(error: Error): void;
  worker: number;
  spec: BatchSpec;
}

/**
 * Starts `options.workers` workers with `setup` and keeps `options.prefetch`
 * batches of `specs` in preparation. Call `close()` when done, also after an
 * error, or the workers keep the process alive.
 */
export function workerBatchSource(
  setup: WorkerSetup,
  specs: Iterator<BatchSpec>,
  options: PoolOptions,
): BatchSource {
  checkPoolOptions(options);
  const workers = Array.from({ length: options.workers }, () => startWorker(setup));
  const outstanding = workers.map(() => 0);
  const pending = new Map<number, PendingBatch>();
  const queue: PendingBatch[] = [];
  let nextId = 0;
  let failure: Error | undefined;
  let exhausted = false;

  const fail = (error: Error) => {
    failure ??= error;
    for (const batch of pending.values()) batch.reject(failure);
    pending.clear();
  };
  workers.forEach((worker, index) => {
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.type === "error" && reply.id === -1) {
        return fail(
          new Error(
            `Batch worker ${index + 1} could not start: ${reply.message}. ` +
              "Rerun with --workers 0 to prepare batches on the training thread.",
          ),
        );
      }
      const batch = pending.get(reply.id);
      if (batch === undefined) return;
      pending.delete(reply.id);
      outstanding[batch.worker]--;
      if (reply.type === "batch") batch.resolve(reply.prepared);
      else {
        const where = `batch ${batch.spec.step + 1} of epoch ${batch.spec.epoch + 1}`;
        batch.reject(new Error(`Preparing ${where} in worker ${index + 1} failed: ${reply.message}`));
      }
    };
    worker.onmessageerror = () => {
      fail(
        new Error(`Batch worker ${index + 1} sent a reply that could not be read. Rerun with --workers 0.`),
      );
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      fail(
        new Error(
          `Batch worker ${
            index + 1
          } failed: ${event.message}. Rerun with --workers 0 to prepare batches on the training thread.`,
        ),
      );
    };
  });

  const request = () => {
    while (!exhausted && queue.length < options.prefetch) {
      const spec = specs.next();
      if (spec.done) {
        exhausted = true;
        return;
      }
      const worker = outstanding.indexOf(Math.min(...outstanding));
      const batch = deferred(worker, spec.value);
      if (failure !== undefined) batch.reject(failure);
      else {
        const id = nextId++;
        pending.set(id, batch);
        outstanding[worker]++;
        const message: WorkerRequest = { type: "batch", id, spec: spec.value };
        workers[worker].postMessage(message);
      }
      queue.push(batch);
    }
  };
  request();

  return {
    next() {
      const batch = queue.shift();
      if (batch === undefined) {
        return Promise.reject(new Error("The training loop requested more batches than its epochs contain."));
      }
      request();
      return batch.promise;
    },
    close() {
      for (const worker of workers) worker.terminate();
      fail(new Error("The batch pool was closed."));
      queue.length = 0;
    },
    description: `${options.workers} worker${options.workers === 1 ? "" : "s"}, ` +
      `${options.prefetch} batch${options.prefetch === 1 ? "" : "es"} ahead`,
  };
}

function checkPoolOptions(options: PoolOptions): void {
  for (const [name, value] of [["workers", options.workers], ["prefetch", options.prefetch]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`Invalid batch pool ${name} ${value}: expected an integer of 1 or more.`);
    }
  }
}

function startWorker(setup: WorkerSetup): Worker {
  const worker = new Worker(new URL("./batch_worker.ts", import.meta.url).href, { type: "module" });
  const message: WorkerRequest = { type: "setup", setup };
  worker.postMessage(message);
  return worker;
}

function deferred(worker: number, spec: BatchSpec): PendingBatch {
  let resolve!: (batch: PreparedBatch) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<PreparedBatch>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  // A batch that fails before the loop takes it is not an unhandled rejection, because the loop may never take it.
  promise.catch(() => {});
  return { promise, resolve, reject, worker, spec };
}
