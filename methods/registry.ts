/**
 * The method registry: names to factories. Adding a method is one folder under
 * `methods/` plus one {@linkcode registerMethod} call.
 *
 * @module
 */
import { createDistortHardMethod } from "./distort_hard/mod.ts";
import { createHardMethod } from "./hard/mod.ts";
import { createMiAdaptiveMethod } from "./mi_adaptive/mod.ts";
import { type MethodOptions, validateMethodOptions } from "./options.ts";
import type { TrainingMethod } from "./types.ts";

/** Builds a method from the resolved options. */
export type MethodFactory = (options: MethodOptions) => TrainingMethod;

const factories = new Map<string, MethodFactory>();

/**
 * Adds a method under a name.
 *
 * @throws {Error} when the name is taken or not of the form `[a-z][a-z0-9_]*`.
 */
export function registerMethod(name: string, factory: MethodFactory): void {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new Error(`Invalid method name "${name}"; use lower-case letters, digits and underscores.`);
  }
  if (factories.has(name)) throw new Error(`Method "${name}" is already registered.`);
  factories.set(name, factory);
}

/** Returns the registered method names, in registration order. */
export function listMethods(): string[] {
  return [...factories.keys()];
}

/**
 * Creates a registered method.
 *
 * @throws {Error} listing the valid names when `name` is unknown, or naming the invalid option.
 */
export function createMethod(name: string, options: MethodOptions): TrainingMethod {
  const factory = factories.get(name);
  if (factory === undefined) {
    throw new Error(`Unknown method "${name}". Valid methods: ${listMethods().join(", ")}, or all.`);
  }
  validateMethodOptions(options);
  return factory(options);
}

/**
 * Expands a `--method` value: a comma-separated list of names, or `all`.
 *
 * @throws {Error} listing the valid names when one is unknown or the list is empty.
 */
export function parseMethodList(value: string): string[] {
  const names = value.split(",").map((name) => name.trim()).filter((name) => name.length > 0);
  if (names.length === 0) {
    throw new Error(`No method given; use one or more of: ${listMethods().join(", ")}.`);
  }
  if (names.includes("all")) return listMethods();
  for (const name of names) {
    if (!factories.has(name)) {
      throw new Error(`Unknown method "${name}". Valid methods: ${listMethods().join(", ")}, or all.`);
    }
  }
  return [...new Set(names)];
}

registerMethod("hard", createHardMethod);
registerMethod("distort_hard", createDistortHardMethod);
registerMethod("mi_adaptive", createMiAdaptiveMethod);
