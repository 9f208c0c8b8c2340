/**
 * Test helper: a run configuration with the default training and method options.
 *
 * @module
 */
import { DEFAULT_METHOD_OPTIONS, type MethodOptions } from "../methods/options.ts";
import { DEFAULT_TRAINING, type RunConfig } from "./config.ts";

/** Returns the configuration of `method` on the embedded dataset, seed 0, with `options` over the defaults. */
export function testRunConfig(method: string, options: Partial<MethodOptions> = {}): RunConfig {
  return {
    ...DEFAULT_TRAINING,
    stem: "cifar",
    cropPadding: 4,
    method,
    dataset: "embedded",
    seed: 0,
    methodOptions: { ...DEFAULT_METHOD_OPTIONS, ...options },
  };
}
