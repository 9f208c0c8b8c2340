/**
 * Shards of a bench matrix, so that several machines can share it: shard i of
 * N takes the runs whose 0-based position in matrix order is congruent to
 * i - 1 modulo N. Matrix order is every seed of the first method, then every
 * seed of the second, and so on, as given on the command line.
 *
 * @module
 */

/** One share of the matrix: `index` counts from 1 to `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `--shard i/N`.
 *
 * @throws {Error} quoting the value when it is not two positive integers `i/N` with i <= N.
 */
export function parseShard(value: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (match === null) {
    throw new Error(`Invalid --shard "${value}": expected i/N with integers 1 <= i <= N, for example 2/4.`);
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new Error(`Invalid --shard "${value}": the shard count N must be 1 or more.`);
  }
  if (!Number.isSafeInteger(index) || index < 1 || index > count) {
    throw new Error(
      `Invalid --shard "${value}": the shard index must be in [1, ${count}]. Shards count from 1, ` +
        `so pass $((JOB_COMPLETION_INDEX + 1))/${count} from a 0-based job index.`,
    );
  }
  return { index, count };
}

/** Returns the items of the shard in their order, or all of them when `shard` is undefined. */
export function selectShard<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined) return [...items];
  return items.filter((_, position) => position % shard.count === shard.index - 1);
}
