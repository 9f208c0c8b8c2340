/**
 * Cache keys and the default cache folder for decoded splits. A key changes
 * whenever a file, the class numbering, the output size or the decoding changes.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";

/**
 * Version of the cache file layout and of the decoding. It enters every key, so
 * raising it leaves old files unused, and readers reject files of other versions.
 */
export const CACHE_FORMAT_VERSION = 2;

/** One image file as it enters the cache key. */
export interface CacheKeyFile {
  /** Path relative to the dataset root, `/`-separated. */
  relativePath: string;
  /** Size in bytes. */
  size: number;
  /** Modification time in milliseconds. */
  mtimeMs: number;
  /** Class index. */
  label: number;
}

/** Everything that determines the decoded pixels and labels of a split. */
export interface CacheKeyInput {
  /** Files in the order their pixels are stored. */
  files: readonly CacheKeyFile[];
  /** Sorted class folder names, which fix the label numbering. */
  classFolders: readonly string[];
  /** Output width and height in pixels. */
  side: number;
  /** Name of the resize rule, so that a change of rule gives new keys. */
  resizeRule: string;
}

/**
 * Returns the default cache folder: `$XDG_CACHE_HOME/mials/decoded`, or
 * `$HOME/.cache/mials/decoded` when `XDG_CACHE_HOME` is unset or empty.
 *
 * @param getEnv Reads an environment variable. Tests pass a fake one.
 * @throws When neither `XDG_CACHE_HOME` nor `HOME` is set.
 */
export function defaultCacheDir(
  getEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string {
  const cacheHome = getEnv("XDG_CACHE_HOME");
  if (cacheHome) return join(cacheHome, "mials", "decoded");

  const home = getEnv("HOME");
  if (!home) {
    throw new Error(
      "Cannot choose a cache folder: XDG_CACHE_HOME and HOME are unset; pass cacheDir explicitly",
    );
  }
  return join(home, ".cache", "mials", "decoded");
}

/**
 * Computes the cache key of a split: a hex SHA-256 over the format version, the
 * options and each file's relative path, size, modification time and label.
 * Editing, adding, removing or renaming any file changes the key.
 */
export function computeCacheKey(input: CacheKeyInput): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({
    formatVersion: CACHE_FORMAT_VERSION,
    side: input.side,
    resizeRule: input.resizeRule,
    classFolders: input.classFolders,
  }));
  for (const file of input.files) {
    hash.update("\n" + JSON.stringify([file.relativePath, file.size, file.mtimeMs, file.label]));
  }
  return hash.digest("hex");
}
