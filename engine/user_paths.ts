/**
 * Paths typed on the command line. `deno task` runs a task in the folder of
 * `deno.json` and passes the folder it was started from as `INIT_CWD`, so a relative
 * path is resolved against that folder, as the user typed it.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";

/** Returns the folder `deno task` was started from, or the current folder outside `deno task`. */
export function invocationFolder(): string {
  // Asking first avoids a permission prompt where --allow-env was not given.
  const granted = Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" }).state === "granted";
  const folder = granted ? Deno.env.get("INIT_CWD") : undefined;
  return folder !== undefined && folder !== "" ? folder : Deno.cwd();
}

/** Returns `path` as an absolute path, resolving a relative one against {@linkcode invocationFolder}. */
export function resolveUserPath(path: string): string {
  return isAbsolute(path) ? resolve(path) : resolve(invocationFolder(), path);
}

/**
 * Returns the canonical form of a `--dataset` value, which run ids are computed from.
 * `embedded` stays as it is, and a folder becomes its absolute path with links
 * resolved. So the same folder typed another way (relative, with a trailing slash,
 * through a link) gives the same runs. A path that does not exist is only made
 * absolute; loading it then reports it.
 */
export function canonicalDatasetSpec(spec: string, embedded: string): string {
  if (spec === embedded || spec === "") return spec;
  const absolute = resolveUserPath(spec);
  try {
    return Deno.realPathSync(absolute);
  } catch {
    return absolute;
  }
}
