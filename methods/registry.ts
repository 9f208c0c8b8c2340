/**
 * The method registry: names to factories. Adding a method is one folder under
 * `methods/` plus one {@linkcode registerMethod} call.
 *
 * Besides the registered names, `--method` accepts compositions
 * `augmentation+rule` of a method registered with the role `augmentation` and
 * one registered with the role `target_rule` (see `compose.ts`), for example
 * `randaugment+mi_adaptive`. `--method all` runs every registered method and the
 * compositions added with {@linkcode includeCompositionInAll}.
 *
 * @module
 */
export { methodNameForRunId } from "../engine/config.ts";
import { composeMethods } from "./compose.ts";
import { createCutmixMethod } from "./cutmix/mod.ts";
import { createDistortHardMethod } from "./distort_hard/mod.ts";
import { createHardMethod } from "./hard/mod.ts";
import { createLabelSmoothingMethod } from "./label_smoothing/mod.ts";
import { createMiAdaptiveMethod } from "./mi_adaptive/mod.ts";
import { createMixupMethod } from "./mixup/mod.ts";
import { type MethodOptions, validateMethodOptions } from "./options.ts";
import { createRandAugmentMethod } from "./randaugment/mod.ts";
import type { TrainingMethod } from "./types.ts";

/** Builds a method from the resolved options. */
export type MethodFactory = (options: MethodOptions) => TrainingMethod;

/**
 * Part a method can play in a composition `augmentation+rule`: `augmentation`
 * on the left (it changes pixels, and may mix images), `target_rule` on the
 * right (it gives the soft targets).
 */
export type CompositionRole = "augmentation" | "target_rule";

interface Registration {
  factory: MethodFactory;
  role?: CompositionRole;
}

const registrations = new Map<string, Registration>();
const compositionsInAll: string[] = [];

/**
 * Adds a method under a name.
 *
 * @param role Lets the method take part in compositions; without it the method runs only alone.
 * @throws {Error} when the name is taken or not of the form `[a-z][a-z0-9_]*`.
 */
export function registerMethod(name: string, factory: MethodFactory, role?: CompositionRole): void {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new Error(`Invalid method name "${name}"; use lower-case letters, digits and underscores.`);
  }
  if (registrations.has(name)) throw new Error(`Method "${name}" is already registered.`);
  registrations.set(name, { factory, role });
}

/** Returns the registered method names, in registration order. */
export function listMethods(): string[] {
  return [...registrations.keys()];
}

/**
 * Adds a composition to the ones `--method all` runs after the registered methods.
 *
 * @throws {Error} listing the valid compositions when `name` is not one of them.
 */
export function includeCompositionInAll(name: string): void {
  parseComposition(name);
  if (!compositionsInAll.includes(name)) compositionsInAll.push(name);
}

/** Returns what `--method all` runs: the registered methods, then the compositions included in it. */
export function listAllMethods(): string[] {
  return [...listMethods(), ...compositionsInAll];
}

/** Returns the registered methods that can play a role in compositions, in registration order. */
export function listMethodsWithRole(role: CompositionRole): string[] {
  return listMethods().filter((name) => registrations.get(name)!.role === role);
}

/** Returns every valid composition `augmentation+rule`, in registration order of both parts. */
export function listCompositions(): string[] {
  const rules = listMethodsWithRole("target_rule");
  return listMethodsWithRole("augmentation").flatMap((augmentation) =>
    rules.map((rule) => `${augmentation}+${rule}`)
  );
}

/**
 * Splits a composition name into its two parts.
 *
 * @throws {Error} listing the valid compositions when the name is not one of them.
 */
function parseComposition(name: string): [string, string] {
  const parts = name.split("+");
  const [augmentation, rule] = parts;
  const valid = parts.length === 2 &&
    registrations.get(augmentation)?.role === "augmentation" &&
    registrations.get(rule)?.role === "target_rule";
  if (!valid) {
    const augmentations = listMethodsWithRole("augmentation").join(", ");
    const rules = listMethodsWithRole("target_rule").join(", ");
    throw new Error(
      `Invalid method combination "${name}": combine one augmentation (${augmentations}) ` +
        `with one target rule (${rules}). Valid combinations: ${listCompositions().join(", ")}.`,
    );
  }
  return [augmentation, rule];
}

function unknownMethodError(name: string): Error {
  return new Error(
    `Unknown method "${name}". Valid methods: ${listMethods().join(", ")}, or all, ` +
      `or a combination such as ${listCompositions()[0] ?? "augmentation+rule"}.`,
  );
}

/**
 * Creates a registered method or a composition `augmentation+rule`.
 *
 * @throws {Error} listing the valid names when `name` is unknown or an invalid
 *   combination, or naming the invalid option.
 */
export function createMethod(name: string, options: MethodOptions): TrainingMethod {
  if (name.includes("+")) {
    const [augmentation, rule] = parseComposition(name);
    validateMethodOptions(options);
    return composeMethods(
      name,
      registrations.get(augmentation)!.factory(options),
      registrations.get(rule)!.factory(options),
    );
  }
  const registration = registrations.get(name);
  if (registration === undefined) throw unknownMethodError(name);
  validateMethodOptions(options);
  return registration.factory(options);
}

/**
 * Expands a `--method` value: a comma-separated list of names and
 * compositions, or `all` for {@linkcode listAllMethods}.
 *
 * @throws {Error} listing the valid names when one is unknown, a combination is
 *   invalid, or the list is empty.
 */
export function parseMethodList(value: string): string[] {
  const names = value.split(",").map((name) => name.trim()).filter((name) => name.length > 0);
  if (names.length === 0) {
    throw new Error(`No method given; use one or more of: ${listMethods().join(", ")}.`);
  }
  if (names.includes("all")) return listAllMethods();
  for (const name of names) {
    if (name.includes("+")) parseComposition(name);
    else if (!registrations.has(name)) throw unknownMethodError(name);
  }
  return [...new Set(names)];
}

registerMethod("hard", createHardMethod);
registerMethod("distort_hard", createDistortHardMethod, "target_rule");
registerMethod("mi_adaptive", createMiAdaptiveMethod, "target_rule");
registerMethod("label_smoothing", createLabelSmoothingMethod, "target_rule");
registerMethod("mixup", createMixupMethod, "augmentation");
registerMethod("cutmix", createCutmixMethod, "augmentation");
registerMethod("randaugment", createRandAugmentMethod, "augmentation");
includeCompositionInAll("randaugment+mi_adaptive");
includeCompositionInAll("randaugment+label_smoothing");
includeCompositionInAll("mixup+mi_adaptive");

/** The methods registered above, which every worker's own copy of this module registers too. */
const builtInMethods = new Set(listMethods());

/**
 * Tells whether `name`, a method or a composition, uses only the methods registered
 * in this module. Only those can be built in a batch worker, which imports this
 * module afresh and so lacks methods registered at run time.
 */
export function isBuiltInMethod(name: string): boolean {
  return name.split("+").every((part) => builtInMethods.has(part));
}
