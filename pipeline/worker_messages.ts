/**
 * Messages between the training thread and its batch workers.
 *
 * @module
 */
import type { ChannelStatistics } from "../engine/normalize.ts";
import type { MethodOptions } from "../methods/options.ts";
import type { ImageStoreMessage } from "./image_store.ts";
import type { BatchSpec, PreparedBatch } from "./prepare.ts";

/** Setup that a worker needs to prepare any batch of a run. */
export interface WorkerSetup {
  store: ImageStoreMessage;
  /** A name that `createMethod` of the built-in registry resolves, with its options. */
  methodName: string;
  methodOptions: MethodOptions;
  numClasses: number;
  cropPadding: number;
  statistics: ChannelStatistics;
  seed: number;
  stepsPerEpoch: number;
}

/** From the training thread: the setup, once, then one request per batch. */
export type WorkerRequest =
  | { type: "setup"; setup: WorkerSetup }
  | { type: "batch"; id: number; spec: BatchSpec };

/** From a worker: a prepared batch, or an error (id -1 when the setup failed). */
export type WorkerReply =
  | { type: "batch"; id: number; prepared: PreparedBatch }
  | { type: "error"; id: number; message: string };
