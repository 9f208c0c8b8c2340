/**
 * Checks that the CIFAR-10 report in docs/ is what `deno task report` builds today
 * from the runs stored beside it, so that the published tables and charts cannot
 * drift from their data or from the report code.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT, runTask } from "./_e2e_support.ts";

const RUNS = "docs/results-cifar10-runs";
const TABLE = "results-cifar10-table.md";
const CHARTS = "results-cifar10-table-charts";
const REGENERATE = `regenerate the report with: npx deno task report --results ${RUNS} --out docs/${TABLE}`;

/** Returns the sorted names of the files in a folder. */
function fileNames(folder: string): string[] {
  return [...Deno.readDirSync(folder)].filter((entry) => entry.isFile).map((entry) => entry.name).sort();
}

Deno.test("cifar10 docs report matches stored runs", async () => {
  const out = await Deno.makeTempDir({ prefix: "mials-docs-report-" });
  try {
    const result = await runTask("tasks/report.ts", ["--results", RUNS, "--out", join(out, TABLE)]);
    assert.equal(result.code, 0, result.stderr);

    const docs = join(REPO_ROOT, "docs");
    const expected = Deno.readTextFileSync(join(out, TABLE));
    assert.equal(
      Deno.readTextFileSync(join(docs, TABLE)),
      expected,
      `docs/${TABLE} is out of date; ${REGENERATE}`,
    );

    const charts = fileNames(join(out, CHARTS));
    assert.ok(charts.length > 0, "the report wrote no charts");
    assert.deepEqual(
      fileNames(join(docs, CHARTS)),
      charts,
      `docs/${CHARTS} does not contain exactly the report's charts; delete it and ${REGENERATE}`,
    );
    for (const name of charts) {
      const built = Deno.readTextFileSync(join(out, CHARTS, name));
      const stored = Deno.readTextFileSync(join(docs, CHARTS, name));
      assert.equal(stored, built, `docs/${CHARTS}/${name} is out of date; ${REGENERATE}`);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
