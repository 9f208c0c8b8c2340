/**
 * Test helper: stored robustness results built from hand-picked entries.
 *
 * @module
 */
import { HELD_OUT_CORRUPTIONS } from "../corruptions/mod.ts";
import type { DegradedMetrics, RobustnessResult } from "../engine/robustness.ts";

/** Wraps entries in the fields that `robustness.json` stores around them. */
export function robustnessResult(entries: DegradedMetrics[], valImages = 10): RobustnessResult {
  return {
    format: "mials-robustness",
    version: 1,
    corruptionSeed: 0,
    valImages,
    entries,
    createdAt: "2026-01-01T00:00:00.000Z",
  };
}

/**
 * Builds corruption entries with the given top-1 at severities 1, 2, … for each
 * corruption. The other metrics are fixed: ECE 0.1, NLL 1 and Brier 0.5.
 */
export function corruptionEntries(top1: Record<string, number[]>, count = 10): DegradedMetrics[] {
  const heldOut: readonly string[] = HELD_OUT_CORRUPTIONS;
  return Object.entries(top1).flatMap(([name, values]) =>
    values.map((value, i): DegradedMetrics => ({
      kind: "corruption",
      name,
      set: heldOut.includes(name) ? "held_out" : "test",
      severity: i + 1,
      top1: value,
      top5: null,
      ece: 0.1,
      nll: 1,
      brier: 0.5,
      count,
    }))
  );
}
