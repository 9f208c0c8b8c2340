/**
 * Checkpoints of a run, written after every epoch into the run folder:
 *
 *     checkpoint-epoch0003.bin  every training tensor as little-endian float32, back to back
 *     checkpoint.json           manifest: format, identity of the run, completed epochs,
 *                               metrics so far, each tensor's name, shape and byte offset,
 *                               and the bin's file name, size and SHA-256
 *
 * Loading parses JSON and reads floats, so a checkpoint runs no code. The bin is
 * written first and the manifest second, each atomically, and the bin's name
 * carries the epoch. A process killed between the two writes therefore leaves
 * the previous manifest pointing at the previous bin, which is still there. A
 * bin whose size or SHA-256 differs from the manifest's (a torn or edited pair)
 * makes the checkpoint invalid.
 *
 * No random generator state is stored: training draws every random number from
 * a generator built from (seed, epoch, step), so an epoch boundary carries none.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { type AtomicWriteOptions, writeFileAtomic } from "./atomic_write.ts";
import type { EpochMetrics } from "./epoch_tracker.ts";
import { readTextIfPresent, removeIfPresent } from "./files.ts";
import { type NamedArray, TENSOR_GROUPS, type TensorGroup } from "./training_state.ts";

/** File name of the manifest in the run folder. */
export const CHECKPOINT_MANIFEST = "checkpoint.json";

const FORMAT = "mials-checkpoint";
const VERSION = 1;
const BIN_NAME = /^checkpoint-epoch\d{4,}\.bin$/;

/** Identity of a run that a checkpoint must match to be resumed: the run, its configuration, data and software. */
export interface CheckpointIdentity {
  runId: string;
  /** SHA-256 of the run's configuration, from `configHashOf` in `config.ts`. */
  configHash: string;
  backend: string;
  tfjsVersion: string;
  datasetName: string;
  trainImages: number;
  valImages: number;
  numClasses: number;
  /**
   * SHA-256 of the train and val pixels and labels. Checkpoints written before it
   * was recorded lack it, and then match any data with the same counts.
   */
  datasetDigest?: string;
  /**
   * Whether TensorFlow ran its oneDNN kernels, which round differently from its Eigen
   * ones. Recorded on the `tensorflow` backend only. Checkpoints written before it was
   * recorded lack it, and then match either setting.
   */
  oneDnn?: boolean;
}

/** Position of one tensor in the bin. */
export interface TensorEntry {
  group: TensorGroup;
  name: string;
  shape: number[];
  /** Byte offset of the first value. */
  offset: number;
  /** Number of float32 values. */
  length: number;
}

/** Contents of `checkpoint.json`. */
export interface CheckpointManifest {
  format: typeof FORMAT;
  version: typeof VERSION;
  identity: CheckpointIdentity;
  /** Epochs finished before the checkpoint, so training resumes at this 0-based epoch. */
  completedEpochs: number;
  /** Metrics of epochs 1 to `completedEpochs`, as in `epochs.jsonl`. */
  history: EpochMetrics[];
  createdAt: string;
  dtype: "float32";
  byteOrder: "little-endian";
  tensors: TensorEntry[];
  bin: { file: string; bytes: number; sha256: string };
}

/** A checkpoint read back and checked against its manifest. */
export interface Checkpoint {
  manifest: CheckpointManifest;
  arrays: NamedArray[];
}

/** Contents that {@linkcode saveCheckpoint} stores. */
export interface CheckpointContents {
  identity: CheckpointIdentity;
  completedEpochs: number;
  history: EpochMetrics[];
  arrays: readonly NamedArray[];
}

/** Outcome of {@linkcode readCheckpoint}. */
export type CheckpointReadResult =
  | { status: "missing" }
  | { status: "invalid"; reason: string }
  | { status: "valid"; checkpoint: Checkpoint };

/**
 * Writes the bin, then the manifest, then removes bins of earlier epochs.
 *
 * @throws {Error} from {@linkcode writeFileAtomic} when a write fails (for
 *   example on a full disk). The previous checkpoint then stays valid, and no
 *   partial or unreferenced file is left behind.
 */
export async function saveCheckpoint(
  directory: string,
  contents: CheckpointContents,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const { bytes, tensors } = encodeArrays(contents.arrays);
  const binFile = `checkpoint-epoch${String(contents.completedEpochs).padStart(4, "0")}.bin`;
  const manifest: CheckpointManifest = {
    format: FORMAT,
    version: VERSION,
    identity: contents.identity,
    completedEpochs: contents.completedEpochs,
    history: contents.history,
    createdAt: new Date().toISOString(),
    dtype: "float32",
    byteOrder: "little-endian",
    tensors,
    bin: { file: binFile, bytes: bytes.length, sha256: sha256Hex(bytes) },
  };
  const previous = await readManifestBinName(directory);
  await writeFileAtomic(join(directory, binFile), bytes, options);
  try {
    await writeFileAtomic(
      join(directory, CHECKPOINT_MANIFEST),
      JSON.stringify(manifest, null, 1) + "\n",
      options,
    );
  } catch (error) {
    if (previous !== binFile) await removeIfPresent(join(directory, binFile));
    throw error;
  }
  await removeCheckpointBins(directory, binFile);
}

/**
 * Reads `checkpoint.json` and its bin, checking the format, the bin's size and
 * SHA-256, and every tensor's place in the bin.
 *
 * @returns `missing` when there is no manifest, `invalid` with the reason when
 *   any check fails, else the checkpoint.
 * @throws {Error} only on read errors other than a missing file (for example permissions).
 */
export async function readCheckpoint(directory: string): Promise<CheckpointReadResult> {
  const manifestPath = join(directory, CHECKPOINT_MANIFEST);
  const text = await readTextIfPresent(manifestPath);
  if (text === undefined) return { status: "missing" };
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    return { status: "invalid", reason: `${manifestPath} is not valid JSON (${(error as Error).message})` };
  }
  const problem = checkManifest(manifest);
  if (problem !== undefined) return { status: "invalid", reason: `${manifestPath}: ${problem}` };
  const binPath = join(directory, manifest.bin.file);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(binPath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { status: "invalid", reason: `${binPath}, named in ${manifestPath}, does not exist` };
    }
    throw error;
  }
  if (bytes.length !== manifest.bin.bytes || sha256Hex(bytes) !== manifest.bin.sha256) {
    return {
      status: "invalid",
      reason: `${binPath} has ${bytes.length} bytes and another SHA-256 than ${manifestPath} records ` +
        "(a torn or edited checkpoint)",
    };
  }
  return { status: "valid", checkpoint: { manifest, arrays: decodeArrays(bytes, manifest.tensors) } };
}

/** Removes the manifest and every checkpoint bin of a run folder, if present. */
export async function removeCheckpoint(directory: string): Promise<void> {
  await removeIfPresent(join(directory, CHECKPOINT_MANIFEST));
  await removeCheckpointBins(directory);
}

function encodeArrays(arrays: readonly NamedArray[]): { bytes: Uint8Array; tensors: TensorEntry[] } {
  const total = arrays.reduce((sum, array) => sum + array.values.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const { group, name, shape, values } of arrays) {
    tensors.push({ group, name, shape: [...shape], offset, length: values.length });
    for (let i = 0; i < values.length; i++) view.setFloat32(offset + 4 * i, values[i], true);
    offset += 4 * values.length;
  }
  return { bytes, tensors };
}

function decodeArrays(bytes: Uint8Array, tensors: readonly TensorEntry[]): NamedArray[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return tensors.map(({ group, name, shape, offset, length }) => {
    const values = new Float32Array(length);
    for (let i = 0; i < length; i++) values[i] = view.getFloat32(offset + 4 * i, true);
    return { group, name, shape: [...shape], values };
  });
}

/** Returns the first problem of a parsed manifest, or undefined when it is well formed. */
function checkManifest(manifest: CheckpointManifest): string | undefined {
  if (manifest?.format !== FORMAT || manifest.version !== VERSION) {
    return `format ${manifest?.format} version ${manifest?.version} is not ${FORMAT} version ${VERSION}`;
  }
  if (typeof manifest.identity !== "object" || manifest.identity === null) return "identity is missing";
  const { oneDnn } = manifest.identity;
  if (oneDnn !== undefined && typeof oneDnn !== "boolean") {
    return `identity.oneDnn ${JSON.stringify(oneDnn)} is not true, false or absent`;
  }
  const { completedEpochs, history, bin, tensors } = manifest;
  if (!Number.isInteger(completedEpochs) || completedEpochs < 1) {
    return `completedEpochs ${completedEpochs} is not a positive integer`;
  }
  if (!Array.isArray(history) || history.length !== completedEpochs) {
    return `history has ${history?.length} epochs, not completedEpochs = ${completedEpochs}`;
  }
  if (typeof bin?.file !== "string" || !BIN_NAME.test(bin.file)) {
    return `bin file ${JSON.stringify(bin?.file)} is not of the form checkpoint-epochNNNN.bin`;
  }
  if (!Array.isArray(tensors)) return "tensors is not a list";
  let expectedOffset = 0;
  for (const entry of tensors) {
    const size = Array.isArray(entry.shape) ? entry.shape.reduce((product, side) => product * side, 1) : NaN;
    if (!(TENSOR_GROUPS as readonly string[]).includes(entry.group) || entry.length !== size) {
      return `tensor ${entry.group}/${entry.name} has group or length that does not fit shape [${entry.shape}]`;
    }
    if (entry.offset !== expectedOffset) {
      return `tensor ${entry.group}/${entry.name} starts at byte ${entry.offset}, expected ${expectedOffset}`;
    }
    expectedOffset += 4 * entry.length;
  }
  if (expectedOffset !== bin.bytes) {
    return `the tensors take ${expectedOffset} bytes, but the bin is recorded with ${bin.bytes}`;
  }
  return undefined;
}

async function readManifestBinName(directory: string): Promise<string | undefined> {
  const text = await readTextIfPresent(join(directory, CHECKPOINT_MANIFEST));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text)?.bin?.file;
  } catch {
    return undefined;
  }
}

async function removeCheckpointBins(directory: string, keep?: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(directory));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isFile && BIN_NAME.test(entry.name) && entry.name !== keep) {
      await removeIfPresent(join(directory, entry.name));
    }
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
