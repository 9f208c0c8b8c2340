/**
 * Atomic file writes: the content goes to a temporary file in the same folder,
 * is flushed to disk, and is renamed over the target, so a reader sees the old
 * file or the new one, never a partial one.
 *
 * @module
 */

/** Writes `content` to `path` atomically; on failure the temporary file is removed and the target is untouched. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  try {
    const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Writing ${path} failed: ${reason}. Check free disk space and permissions.`);
  }
}
