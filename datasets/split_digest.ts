/**
 * The hash behind `splitDigest` in engine/corrupted_split.ts, in two halves, so that
 * the streamed-cache reader can compute it in the same pass that checks the file.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import type { SplitShape } from "./types.ts";

/** Starts a split digest: a SHA-256 that has taken in the split's count and image shape. */
export function startSplitDigest(split: Pick<SplitShape, "count" | "height" | "width">): Hash {
  return createHash("sha256").update(JSON.stringify([split.count, split.height, split.width]));
}

/** Completes a split digest, after every pixel byte in split order, with the labels. Returns hex. */
export function finishSplitDigest(hash: Hash, labels: Int32Array): string {
  return hash.update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength)).digest("hex");
}
