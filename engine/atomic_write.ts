/**
 * Atomic file writes: the content goes to a temporary file in the same folder,
 * is flushed to disk, and is renamed over the target, so a reader sees the old
 * file or the new one, never a partial one.
 *
 * @module
 */
import { dirname } from "node:path";

/** Writes bytes to an open file and returns how many it wrote, as `Deno.FsFile.write` does. */
export type ChunkWriter = (file: Deno.FsFile, bytes: Uint8Array) => Promise<number>;

/** Options of {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * Replaces `file.write`, so tests can fail a write part-way, as a full disk
   * does. Production code leaves it unset.
   */
  writeChunk?: ChunkWriter;
}

/** Suffix of the temporary files of {@linkcode writeFileAtomic}, followed by the process id and a random tag. */
export const TEMPORARY_SUFFIX = ".tmp-";

/**
 * Writes `content` to `path` atomically.
 *
 * @throws {Error} naming the path, the system's reason (for example "No space
 *   left on device") and the fix. The temporary file is removed first and the
 *   target keeps its old content.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temporary = `${path}${TEMPORARY_SUFFIX}${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const writeChunk: ChunkWriter = options.writeChunk ?? ((file, chunk) => file.write(chunk));
  try {
    const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await writeChunk(file, bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    const hint = error instanceof Deno.errors.NotFound
      ? `Create the folder ${dirname(path)} first, or pass a path in an existing folder.`
      : "Check free disk space and permissions.";
    throw new Error(`Writing ${path} failed: ${reason}. ${hint}`);
  }
  await syncFolder(dirname(path));
}

/**
 * Flushes a folder's entries, so the rename survives a power loss as well as a
 * killed process. Linux and macOS allow this. Where opening a folder fails
 * (Windows), the rename is still atomic for readers, so the error is dropped.
 */
async function syncFolder(folder: string): Promise<void> {
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(folder, { read: true });
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch {
    // Some file systems reject fsync on a folder, but the file itself is already on disk.
  } finally {
    handle.close();
  }
}
