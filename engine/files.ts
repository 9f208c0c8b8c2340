/**
 * File helpers for run folders, where a missing file is a normal state
 * (a run not yet finished, a checkpoint not yet written).
 *
 * @module
 */

/** Returns the file's text, or undefined when the file does not exist; other errors are raised. */
export async function readTextIfPresent(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Returns whether `path` is a file, following links. Any error reading it counts as no. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Removes a file, doing nothing when it does not exist; other errors are raised. */
export async function removeIfPresent(path: string): Promise<void> {
  await Deno.remove(path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
