/**
 * Sources of prepared batches for the training loop: on the training thread,
 * or from a pool of workers that prepare the next batches while the model
 * trains (see `worker_source.ts`). Both return the same batches in the same order.
 *
 * @module
 */
import { type BatchSpec, type PreparationContext, prepareBatch, type PreparedBatch } from "./prepare.ts";

/** Prepared batches in training order. */
export interface BatchSource {
  /**
   * Returns the next batch.
   *
   * @throws {Error} when no batch is left, or its preparation failed.
   */
  next(): Promise<PreparedBatch>;
  /** Stops any workers; batches not yet taken are dropped. */
  close(): void;
  /** Description of where batches are prepared, for the run's log, for example `2 workers, 4 batches ahead`. */
  readonly description: string;
}

/** Returns a source that prepares each batch on the training thread when the loop requests it. */
export function inlineBatchSource(
  context: PreparationContext,
  specs: Iterator<BatchSpec>,
  reason = "",
): BatchSource {
  return {
    next() {
      const spec = specs.next();
      if (spec.done) {
        return Promise.reject(new Error("The training loop requested more batches than its epochs contain."));
      }
      try {
        return Promise.resolve(prepareBatch(context, spec.value));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close: () => context.store.close(),
    description: "the training thread" + (reason === "" ? "" : ` (${reason})`),
  };
}
