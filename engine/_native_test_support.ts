/**
 * Test helper: loads the native TensorFlow backend where `deno task setup` built it.
 *
 * @module
 */
import { selectBackend } from "./backend.ts";

let available: Promise<boolean> | undefined;

/** Returns whether the `tensorflow` backend starts here; registers it once as a side effect. */
export function nativeBackendAvailable(): Promise<boolean> {
  available ??= selectBackend("tensorflow").then(() => true, () => false);
  return available;
}
