/**
 * Compositions `augmentation+rule`: an augmentation method (RandAugment,
 * mixup, CutMix) combined with a target rule (label smoothing, MI-adaptive
 * smoothing, the distortions with one-hot targets).
 *
 * @module
 */
import type { BatchRecord, ImageBatch, TrainingMethod } from "./types.ts";

/**
 * Combines two methods into one.
 *
 * When `augmentation` mixes images (it has `mixTargets`), the rule runs first
 * on the unmixed images, so each image gets its own soft target, and with
 * `mi_adaptive` its own distortion and NMI. Then the images are mixed, and the
 * target of image i becomes lambda * target i + (1 - lambda) * target of its
 * partner. Otherwise the augmentation runs first, and the rule then works on
 * the augmented images and gives the targets.
 *
 * @param name Registry name of the composition, for example `mixup+mi_adaptive`.
 * @throws {Error} from `augment` when both methods record the same field.
 */
export function composeMethods(
  name: string,
  augmentation: TrainingMethod,
  rule: TrainingMethod,
): TrainingMethod {
  const mixTargets = augmentation.mixTargets?.bind(augmentation);
  const stages = mixTargets === undefined ? [augmentation, rule] : [rule, augmentation];
  return {
    name,
    augment(batch, random) {
      const first = stages[0].augment(batch, random);
      const second = stages[1].augment(batch, random);
      return mergeRecords(name, first, second);
    },
    targets(batch: ImageBatch, record: BatchRecord) {
      const targets = rule.targets(batch, record);
      return mixTargets === undefined ? targets : mixTargets(targets, batch, record);
    },
  };
}

/** Returns the fields of both records; fields set to undefined are left out. */
function mergeRecords(name: string, first: BatchRecord, second: BatchRecord): BatchRecord {
  const merged: Record<string, unknown> = {};
  for (const record of [first, second]) {
    for (const [key, value] of Object.entries(record)) {
      if (value === undefined) continue;
      if (merged[key] !== undefined) {
        throw new Error(`${name}: both of its methods record "${key}", so one would overwrite the other.`);
      }
      merged[key] = value;
    }
  }
  return merged as BatchRecord;
}
