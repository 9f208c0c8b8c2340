/**
 * A lock file in a run folder, so that two bench processes do not train or
 * evaluate the same run at once. The second process skips the run and names the
 * process that locked it.
 *
 * @module
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { removeIfPresent } from "./files.ts";

/** Name of the lock file inside a run folder. */
export const LOCK_FILE = "bench.lock";

/** Contents of the lock file: the process that locked the run. */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
}

/** Outcome of {@linkcode acquireRunLock}. */
export type RunLock =
  | { acquired: true; release: () => Promise<void> }
  | { acquired: false; path: string; holder?: LockHolder };

/** Returns whether a process of this machine is running, where the system can tell. */
export function processIsAlive(pid: number): boolean {
  if (Deno.build.os !== "linux") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await Deno.readTextFile(path));
    return typeof holder?.pid === "number" && typeof holder?.hostname === "string" ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the lock file if it still names `holder`, so a lock taken over since stays. */
async function releaseIfHeld(path: string, holder: LockHolder): Promise<void> {
  const current = await readHolder(path);
  if (current?.pid !== holder.pid || current.startedAt !== holder.startedAt) return;
  await removeIfPresent(path);
}

/**
 * Creates the lock file of a run folder, creating the folder if needed.
 *
 * A lock left by a process of this machine that no longer runs (a bench that was
 * killed) is taken over. A lock of a running process, of another machine, or that
 * cannot be read is respected.
 *
 * NOTE: two processes that find the same stale lock at the same moment could both
 * take it over. The window is one file removal and one creation long.
 *
 * @param isAlive Tells whether a process of this machine runs; tests pass their own.
 * @returns `acquired: true` with a `release` function to call when the run is done,
 *   or `acquired: false` with the lock file's path and its holder where readable.
 */
export async function acquireRunLock(
  directory: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<RunLock> {
  await Deno.mkdir(directory, { recursive: true });
  const path = join(directory, LOCK_FILE);
  const holder: LockHolder = { pid: Deno.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeTextFile(path, JSON.stringify(holder) + "\n", { createNew: true });
      return { acquired: true, release: () => releaseIfHeld(path, holder) };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    const existing = await readHolder(path);
    const stale = existing !== undefined && existing.hostname === holder.hostname && !isAlive(existing.pid);
    if (!stale) return { acquired: false, path, holder: existing };
    await removeIfPresent(path);
  }
  return { acquired: false, path, holder: await readHolder(path) };
}

/** Describes the owner of a lock that {@linkcode acquireRunLock} could not take, and what to do. */
export function describeHeldLock(lock: { path: string; holder?: LockHolder }): string {
  const owner = lock.holder === undefined
    ? "another bench (its lock file cannot be read)"
    : `process ${lock.holder.pid} on ${lock.holder.hostname}, since ${lock.holder.startedAt}`;
  return `in use by ${owner}. If no bench runs on it, delete ${lock.path} and run bench again`;
}
