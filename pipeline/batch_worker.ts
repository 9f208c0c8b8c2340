/**
 * Entry point of a batch worker. The first message sets it up (image store,
 * method, seed). Each later message names a batch, which the worker prepares and
 * sends back with its arrays transferred, not copied.
 *
 * @module
 */
import { createMethod } from "../methods/registry.ts";
import { openImageStore } from "./image_store.ts";
import { type PreparationContext, prepareBatch } from "./prepare.ts";
import type { WorkerReply, WorkerRequest } from "./worker_messages.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let context: PreparationContext | undefined;

scope.onmessage = (event) => {
  const request = event.data;
  try {
    if (request.type === "setup") {
      const { store, methodName, methodOptions, ...rest } = request.setup;
      context = { ...rest, store: openImageStore(store), method: createMethod(methodName, methodOptions) };
      return;
    }
    if (context === undefined) throw new Error("The worker received a batch before its setup.");
    const prepared = prepareBatch(context, request.spec);
    const { batch, targets } = prepared;
    const buffers = new Set([batch.pixels.buffer, batch.labels.buffer, targets.buffer]);
    scope.postMessage({ type: "batch", id: request.id, prepared }, [...buffers] as ArrayBuffer[]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    scope.postMessage({ type: "error", id: request.type === "batch" ? request.id : -1, message });
  }
};
