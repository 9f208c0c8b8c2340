/**
 * Learning-rate schedule: linear warm-up, then cosine decay to zero.
 *
 * @module
 */

/** Parameters of {@linkcode cosineWithWarmup}. */
export interface ScheduleOptions {
  /** Peak learning rate, reached at the end of warm-up. */
  baseLearningRate: number;
  /** Optimizer steps of linear warm-up (0 for none). */
  warmupSteps: number;
  /** Optimizer steps in the whole run. */
  totalSteps: number;
}

/**
 * Returns the learning rate of a 0-based optimizer step.
 *
 * Warm-up rises linearly from base/warmupSteps at step 0 to base at step
 * warmupSteps - 1; the cosine half-period then spans the remaining steps and
 * ends at 0 after the last step.
 */
export function cosineWithWarmup(step: number, options: ScheduleOptions): number {
  const { baseLearningRate, warmupSteps, totalSteps } = options;
  if (step < warmupSteps) return (baseLearningRate * (step + 1)) / warmupSteps;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / decaySteps);
  return 0.5 * baseLearningRate * (1 + Math.cos(Math.PI * progress));
}
