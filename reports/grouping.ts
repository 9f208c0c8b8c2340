/**
 * Grouping of runs for the report tables: by method within a dataset and
 * configuration, and the tables' method order.
 *
 * @module
 */

/** Fields that place a run in a table: its method, dataset and configuration. */
export interface RunPlace {
  method: string;
  dataset: string;
  configSummary: string;
}

/** Runs of one method on one dataset and configuration. */
export interface MethodGroup<R> extends RunPlace {
  runs: R[];
}

/**
 * Returns a function that gives a method's position in `methodOrder`, and
 * `methodOrder.length` for methods it does not list.
 */
export function methodRank(methodOrder: readonly string[]): (method: string) => number {
  return (method) => {
    const index = methodOrder.indexOf(method);
    return index >= 0 ? index : methodOrder.length;
  };
}

/**
 * Groups `runs` by dataset, configuration and method, sorted by dataset and
 * configuration, then by the method's position in `methodOrder` and its name.
 */
export function groupByMethod<R extends RunPlace>(
  runs: readonly R[],
  methodOrder: readonly string[],
): MethodGroup<R>[] {
  const groups = new Map<string, MethodGroup<R>>();
  for (const run of runs) {
    const key = JSON.stringify([run.dataset, run.configSummary, run.method]);
    const group = groups.get(key) ??
      { method: run.method, dataset: run.dataset, configSummary: run.configSummary, runs: [] };
    group.runs.push(run);
    groups.set(key, group);
  }
  const rank = methodRank(methodOrder);
  return [...groups.values()].sort((a, b) =>
    a.dataset.localeCompare(b.dataset) || a.configSummary.localeCompare(b.configSummary) ||
    rank(a.method) - rank(b.method) || a.method.localeCompare(b.method)
  );
}

/**
 * Splits method groups into blocks of one dataset and configuration each, in the
 * order of their first group.
 */
export function blocksOfGroups<G extends RunPlace>(groups: readonly G[]): G[][] {
  const blocks = new Map<string, G[]>();
  for (const group of groups) {
    const key = JSON.stringify([group.dataset, group.configSummary]);
    blocks.set(key, [...(blocks.get(key) ?? []), group]);
  }
  return [...blocks.values()];
}
