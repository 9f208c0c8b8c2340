/**
 * The `--corruptions`, `--distortion-levels` and `--robustness-per-class` options of
 * `deno task bench`, which choose the degraded validation copies that each finished
 * run is evaluated on.
 *
 * @module
 */
import {
  CORRUPTION_NAMES,
  type CorruptionName,
  HELD_OUT_CORRUPTIONS,
  TEST_CORRUPTIONS,
} from "../corruptions/mod.ts";
import { DISTORTION_NAMES } from "../distortions/mod.ts";
import { DEFAULT_DISTORTION_LEVELS, type RobustnessPlan } from "./robustness.ts";

/** Help lines of the three options, indented like the rest of `bench --help`. */
export const ROBUSTNESS_USAGE =
  `  --corruptions LIST          corruptions to evaluate each finished run on, at severities 1 to 5:
                              all (default: the 15 CIFAR-10-C test corruptions and the 4 held-out ones),
                              test, held_out, none, or names, comma-separated
  --distortion-levels LIST    levels at which to evaluate under each training distortion
                              (default: ${DEFAULT_DISTORTION_LEVELS.join(",")}), or none
  --robustness-per-class N    evaluate robustness on the first N val images per class, 0 for all (default: 0)`;

/** Groups that `--corruptions` accepts besides single names. */
const CORRUPTION_GROUPS: Record<string, readonly CorruptionName[]> = {
  all: CORRUPTION_NAMES,
  test: TEST_CORRUPTIONS,
  held_out: HELD_OUT_CORRUPTIONS,
  none: [],
};

function parseCorruptions(value: string): CorruptionName[] {
  const names: CorruptionName[] = [];
  const parts = value.split(",").map((part) => part.trim()).filter((part) => part.length > 0);
  if (parts.length === 0) {
    throw new Error(`Invalid --corruptions "${value}": give all, test, held_out, none or names.`);
  }
  for (const part of parts) {
    const group = CORRUPTION_GROUPS[part];
    if (group !== undefined) {
      names.push(...group);
    } else if ((CORRUPTION_NAMES as readonly string[]).includes(part)) {
      names.push(part as CorruptionName);
    } else {
      throw new Error(
        `Unknown corruption "${part}" in --corruptions. Use all, test, held_out, none, ` +
          `or names from: ${CORRUPTION_NAMES.join(", ")}.`,
      );
    }
  }
  return [...new Set(names)];
}

function parseLevels(value: string): number[] {
  if (value.trim() === "none") return [];
  const parts = value.split(",").map((part) => part.trim());
  const levels = parts.map(Number);
  const bad = parts.findIndex((part, i) => part.length === 0 || !(levels[i] >= 0 && levels[i] <= 1));
  if (bad >= 0) {
    throw new Error(
      `Invalid --distortion-levels "${value}": "${parts[bad]}" is not a number in [0, 1]. ` +
        "Give levels in [0, 1], comma-separated, or none.",
    );
  }
  return [...new Set(levels)];
}

/**
 * Parses the three options into the plan of degraded copies.
 *
 * @param corruptions Value of `--corruptions`, or undefined for all 19.
 * @param levels Value of `--distortion-levels`, or undefined for 0.1 to 0.9.
 * @param perClass Value of `--robustness-per-class`, or undefined for all images.
 * @throws {Error} naming the option, the invalid value and the valid ones.
 */
export function parseRobustnessPlan(
  corruptions?: string,
  levels?: string,
  perClass?: string,
): RobustnessPlan {
  const distortionLevels = levels === undefined ? [...DEFAULT_DISTORTION_LEVELS] : parseLevels(levels);
  return {
    corruptions: corruptions === undefined ? [...CORRUPTION_NAMES] : parseCorruptions(corruptions),
    distortions: distortionLevels.length === 0 ? [] : [...DISTORTION_NAMES],
    distortionLevels,
    valPerClass: parsePerClass(perClass),
  };
}

function parsePerClass(value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isInteger(parsed) || parsed < 0) {
    throw new Error(
      `Invalid --robustness-per-class "${value}": expected an integer >= 0 (0 for all images).`,
    );
  }
  return parsed;
}
