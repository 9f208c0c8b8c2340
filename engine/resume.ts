/**
 * Decides whether a run starts over or continues from the checkpoint in its folder.
 *
 * @module
 */
import { type Checkpoint, type CheckpointIdentity, readCheckpoint } from "./checkpoint.ts";
import { ONEDNN_VARIABLE } from "./onednn.ts";

/** Start of a run: from scratch, with a sentence on why when a checkpoint was set aside, or from a checkpoint. */
export type RunStart =
  | { kind: "fresh"; reason?: string }
  | { kind: "resume"; checkpoint: Checkpoint };

/**
 * Returns `resume` when the folder contains a valid checkpoint whose identity
 * (run id, configuration hash, backend, tfjs version, dataset name and sizes)
 * equals `identity`, and `fresh` otherwise. With `force`, always `fresh`.
 *
 * The backend must match because kernels round differently, and a run that
 * changed backend halfway would match neither backend's uninterrupted run.
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
  const stored = read.checkpoint.manifest.identity;
  const differences = (Object.keys(identity) as (keyof CheckpointIdentity)[])
    .filter((key) => stored[key] !== identity[key])
    // Optional fields that an older checkpoint lacks are not compared.
    .filter((key) => !((key === "datasetDigest" || key === "oneDnn") && stored[key] === undefined))
    .map((key) =>
      `${key} ${JSON.stringify(stored[key])} in the checkpoint, ${JSON.stringify(identity[key])} now`
    );
  if (differences.length > 0) {
    const backendHint = stored.backend !== identity.backend
      ? ` Pass --backend ${stored.backend} to resume it instead.`
      : stored.oneDnn !== undefined && stored.oneDnn !== identity.oneDnn
      ? ` Set ${ONEDNN_VARIABLE}=${stored.oneDnn ? 1 : 0} to resume it instead.`
      : "";
    return {
      kind: "fresh",
      reason: `The checkpoint belongs to another setup (${differences.join("; ")}).${backendHint}`,
    };
  }
  return { kind: "resume", checkpoint: read.checkpoint };
}
