import assert from "node:assert/strict";
import { join } from "node:path";
import { canonicalDatasetSpec, resolveUserPath } from "./user_paths.ts";

/** Runs `body` with INIT_CWD set to `folder`, then restores it. */
function withInitCwd(folder: string | undefined, body: () => void): void {
  const previous = Deno.env.get("INIT_CWD");
  if (folder === undefined) Deno.env.delete("INIT_CWD");
  else Deno.env.set("INIT_CWD", folder);
  try {
    body();
  } finally {
    if (previous === undefined) Deno.env.delete("INIT_CWD");
    else Deno.env.set("INIT_CWD", previous);
  }
}

Deno.test("resolveUserPath uses the task's starting folder", () => {
  withInitCwd("/srv/start", () => {
    assert.equal(resolveUserPath("results"), "/srv/start/results");
    assert.equal(resolveUserPath("../data/x/"), "/srv/data/x");
    assert.equal(resolveUserPath("/abs/path/"), "/abs/path");
  });
  withInitCwd(undefined, () => assert.equal(resolveUserPath("results"), join(Deno.cwd(), "results")));
});

Deno.test("canonicalDatasetSpec gives one form per folder", () => {
  const root = Deno.makeTempDirSync({ prefix: "mials-paths-" });
  try {
    const data = join(root, "data");
    Deno.mkdirSync(data);
    Deno.symlinkSync(data, join(root, "link"));
    const real = Deno.realPathSync(data);
    withInitCwd(root, () => {
      for (const typed of [data, `${data}/`, "data", "./data/", "link", join(root, "link")]) {
        assert.equal(canonicalDatasetSpec(typed, "embedded"), real, typed);
      }
      assert.equal(canonicalDatasetSpec("embedded", "embedded"), "embedded");
      assert.equal(canonicalDatasetSpec("missing", "embedded"), join(root, "missing"));
    });
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
