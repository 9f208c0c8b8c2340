/**
 * Decides whether a run starts over or continues from the checkpoint in its folder.
 *
 * @module
 */
import { type Checkpoint, type CheckpointIdentity, readCheckpoint } from "./checkpoint.ts";
import { BACKEND_NAMES } from "./backend.ts";
import { ONEDNN_VARIABLE } from "./onednn.ts";

/**
 * Start of a run. `fresh` starts from scratch, with a sentence on why where a checkpoint
 * was set aside. `resume` continues from a checkpoint, with a note where the result may
 * differ from an uninterrupted run. `kept` starts nothing, because the checkpoint belongs
 * to another backend or oneDNN setting that the user can switch back to; its reason
 * names the fix.
 */
export type RunStart =
  | { kind: "fresh"; reason?: string }
  | { kind: "resume"; checkpoint: Checkpoint; note?: string }
  | { kind: "kept"; reason: string };

/** Identity fields that the user sets with an option or a variable, so a checkpoint that differs only there is kept. */
const SWITCHABLE: readonly (keyof CheckpointIdentity)[] = ["backend", "oneDnn"];

/**
 * Returns `resume` when the folder contains a valid checkpoint whose identity
 * (run id, configuration hash, backend, oneDNN setting, tfjs version, dataset name,
 * sizes and digest) equals `identity`. Returns `kept` when only the backend or the
 * oneDNN setting differs, so that the checkpoint stays until the user switches back or
 * passes --force, and `fresh` otherwise. With `force`, always `fresh`.
 *
 * The backend and oneDNN setting must match because kernels round differently, and a
 * run that changed kernels halfway would match neither setting's uninterrupted run.
 */
export async function decideRunStart(
  directory: string,
  identity: CheckpointIdentity,
  force: boolean,
): Promise<RunStart> {
  if (force) return { kind: "fresh" };
  const read = await readCheckpoint(directory);
  if (read.status === "missing") return { kind: "fresh" };
  if (read.status === "invalid") {
    return { kind: "fresh", reason: `The checkpoint is invalid: ${read.reason}.` };
  }
  const { manifest } = read.checkpoint;
  const stored = manifest.identity;
  const differing = (Object.keys(identity) as (keyof CheckpointIdentity)[])
    .filter((key) => stored[key] !== identity[key])
    // Optional fields that an older checkpoint lacks are not compared.
    .filter((key) => !((key === "datasetDigest" || key === "oneDnn") && stored[key] === undefined));
  if (differing.length === 0) {
    return { kind: "resume", checkpoint: read.checkpoint, ...unrecordedOneDnnNote(stored, identity) };
  }
  const differences = differing.map((key) =>
    `${key} ${JSON.stringify(stored[key])} in the checkpoint, ${JSON.stringify(identity[key])} now`
  ).join("; ");
  const knownBackend = (BACKEND_NAMES as readonly string[]).includes(stored.backend);
  if (knownBackend && differing.every((key) => SWITCHABLE.includes(key))) {
    return {
      kind: "kept",
      reason: `its checkpoint after epoch ${manifest.completedEpochs} was written with another setup ` +
        `(${differences}). ${describeSwitchBack(stored, identity)} to resume it, or pass --force to ` +
        "start the run over.",
    };
  }
  return { kind: "fresh", reason: `The checkpoint belongs to another setup (${differences}).` };
}

/** Returns the options and variables that restore the checkpoint's backend and oneDNN setting. */
function describeSwitchBack(stored: CheckpointIdentity, identity: CheckpointIdentity): string {
  const steps: string[] = [];
  if (stored.backend !== identity.backend) steps.push(`pass --backend ${stored.backend}`);
  if (stored.oneDnn !== undefined && stored.oneDnn !== identity.oneDnn) {
    steps.push(`set ${ONEDNN_VARIABLE}=${stored.oneDnn ? 1 : 0}`);
  }
  const text = steps.join(" and ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Returns a note where a checkpoint that predates the oneDNN record resumes on the `tensorflow` backend. */
function unrecordedOneDnnNote(stored: CheckpointIdentity, identity: CheckpointIdentity): { note?: string } {
  if (stored.oneDnn !== undefined || identity.oneDnn === undefined) return {};
  // NOTE: such a checkpoint ran with TensorFlow 2.21's default, which was off on AVX2 CPUs
  // and on with AVX-512 VNNI. This code cannot tell which applied.
  return {
    note: "Its checkpoint predates the record of the oneDNN setting. Where it ran with oneDNN " +
      `${identity.oneDnn ? "off" : "on"}, the remaining epochs round differently from an uninterrupted run.`,
  };
}
