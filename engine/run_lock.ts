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

/**
 * Name of the file that one process creates while it takes over a stale lock, so
 * that only one process at a time takes over a lock.
 */
export const TAKEOVER_FILE = "bench.lock.takeover";

/** Age after which a takeover file counts as left by a killed process. */
const TAKEOVER_STALE_MS = 60_000;

/** Contents of the lock file: the process that locked the run. */
export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  /**
   * Random id of one acquisition, so that two acquisitions of one process differ even
   * within a millisecond. Lock files of earlier versions have none.
   */
  token?: string;
}

/** Outcome of {@linkcode acquireRunLock}. */
export type RunLock =
  | { acquired: true; release: () => Promise<void>; tookOverFrom?: LockHolder }
  | { acquired: false; path: string; holder?: LockHolder };

/**
 * Tokens of the locks that this process holds or is writing. A token is added before
 * its lock file is created, so a concurrent call of this process that reads the new
 * file never takes it for a lock left by an earlier process with the same pid.
 */
const heldByThisProcess = new Set<string>();

/**
 * Returns whether a process of this machine is running. Only Linux can tell here
 * (through /proc). Elsewhere every process counts as running, so stale locks stay.
 */
export function processIsAlive(pid: number): boolean {
  if (Deno.build.os !== "linux") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    return !(error instanceof Deno.errors.NotFound);
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await Deno.readTextFile(path));
    const valid = typeof holder?.pid === "number" && typeof holder?.hostname === "string" &&
      typeof holder?.startedAt === "string" &&
      (holder.token === undefined || typeof holder.token === "string");
    return valid ? holder : undefined;
  } catch {
    return undefined;
  }
}

function sameHolder(a: LockHolder | undefined, b: LockHolder): boolean {
  return a?.pid === b.pid && a.hostname === b.hostname && a.startedAt === b.startedAt && a.token === b.token;
}

/**
 * Returns whether a lock was left by a process of this machine that no longer runs.
 * A lock with this process's own pid that this process does not hold was left by an
 * earlier process with the same pid, as after a container restart.
 */
function isStale(holder: LockHolder, isAlive: (pid: number) => boolean): boolean {
  if (holder.hostname !== hostname()) return false;
  if (holder.pid === Deno.pid) return holder.token === undefined || !heldByThisProcess.has(holder.token);
  return !isAlive(holder.pid);
}

/**
 * Removes the stale lock `stale` unless another process is taking it over. The
 * takeover file makes the check and the removal one step for other processes.
 *
 * @returns false when another process is taking over the lock.
 */
async function removeStaleLock(directory: string, path: string, stale: LockHolder): Promise<boolean> {
  const takeover = join(directory, TAKEOVER_FILE);
  try {
    await Deno.writeTextFile(takeover, `${Deno.pid}\n`, { createNew: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    const age = Date.now() - ((await Deno.stat(takeover).catch(() => undefined))?.mtime?.getTime() ?? 0);
    if (age > TAKEOVER_STALE_MS) await removeIfPresent(takeover);
    return false;
  }
  try {
    if (sameHolder(await readHolder(path), stale)) await removeIfPresent(path);
    return true;
  } finally {
    await removeIfPresent(takeover);
  }
}

/**
 * Creates the lock file of a run folder, creating the folder if needed.
 *
 * A lock left by a process of this machine that no longer runs (a bench that was
 * killed) is taken over, on Linux only. A lock of a running process, of another
 * machine, or that cannot be read is respected.
 *
 * @param isAlive Tells whether a process of this machine runs; tests pass their own.
 * @returns On success `acquired: true`, a `release` function to call when the run is
 *   done, and the stale holder it replaced, if any. Otherwise `acquired: false`, the
 *   lock file's path and its holder where readable.
 */
export async function acquireRunLock(
  directory: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<RunLock> {
  await Deno.mkdir(directory, { recursive: true });
  const path = join(directory, LOCK_FILE);
  const token = crypto.randomUUID();
  const holder: LockHolder & { token: string } = {
    pid: Deno.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token,
  };
  heldByThisProcess.add(token);
  try {
    const lock = await tryToLock(directory, path, holder, isAlive);
    if (!lock.acquired) heldByThisProcess.delete(token);
    return lock;
  } catch (error) {
    heldByThisProcess.delete(token);
    throw error;
  }
}

/** Creates the lock file for `holder`, taking over a stale lock at most once. */
async function tryToLock(
  directory: string,
  path: string,
  holder: LockHolder & { token: string },
  isAlive: (pid: number) => boolean,
): Promise<RunLock> {
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeTextFile(path, JSON.stringify(holder) + "\n", { createNew: true });
      const release = async () => {
        heldByThisProcess.delete(holder.token);
        if (sameHolder(await readHolder(path), holder)) await removeIfPresent(path);
      };
      return tookOverFrom === undefined
        ? { acquired: true, release }
        : { acquired: true, release, tookOverFrom };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    const existing = await readHolder(path);
    if (existing === undefined || !isStale(existing, isAlive)) {
      return { acquired: false, path, holder: existing };
    }
    if (!await removeStaleLock(directory, path, existing)) return { acquired: false, path, holder: existing };
    tookOverFrom = existing;
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
