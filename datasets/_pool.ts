/**
 * Bounded-concurrency iteration, shared by the file listing and the decoder.
 *
 * @module
 */

/**
 * Runs `task` once for every item, with at most `limit` calls in flight at a time.
 *
 * Every task runs even when some reject, unless `stopOnError` is set: then no new
 * task starts after the first rejection. The first rejection is raised after the
 * started tasks have settled, so no task is left running when the promise settles.
 *
 * @param items Inputs, passed to `task` with their index.
 * @param limit Maximum number of tasks running at once; a positive integer.
 * @param task Work for one item.
 * @param stopOnError Whether a rejection keeps the remaining items from starting.
 * @returns Resolves when every started task has finished.
 */
export async function forEachWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
  stopOnError = false,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Concurrency limit must be a positive integer, got ${limit}`);
  }

  let nextIndex = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (nextIndex < items.length && !(stopOnError && errors.length > 0)) {
      const index = nextIndex++;
      try {
        await task(items[index], index);
      } catch (error) {
        errors.push(error);
      }
    }
  };

  const workerCount = Math.min(limit, items.length);
  await Promise.all(Array.from({ length: workerCount }, worker));
  if (errors.length > 0) throw errors[0];
}
