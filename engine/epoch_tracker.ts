/**
 * Per-epoch bookkeeping of the training loop: the metrics stored for each epoch
 * and the tracker that accumulates them over an epoch's steps.
 *
 * @module
 */
import type { ClassificationSummary, ReliabilityBin } from "../metrics/classification.ts";
import type { BatchRecord } from "../methods/types.ts";

/** Metrics of one epoch, written as one JSON line of `epochs.jsonl`. */
export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  learningRate: number;
  trainImagesPerSecond: number;
  epochSeconds: number;
  /**
   * Seconds of the epoch's training steps spent preparing batches (gathering, crop
   * and flip, the method's augmentation and targets), during which the model waits.
   * Absent from runs stored before it was measured.
   */
  dataSeconds?: number;
  valTop1: number;
  valNll: number;
  valEce: number;
  /**
   * Top-5 accuracy, null with fewer than 5 classes. This and the next three fields are
   * absent from runs stored before they existed.
   */
  valTop5?: number | null;
  /** Multi-class Brier score, sum over classes, in [0, 2]. */
  valBrier?: number;
  /** Maximum calibration error over the 15 bins of the ECE. */
  valMce?: number;
  /** Reliability diagram data, the 15 bins of the ECE. */
  valReliability?: ReliabilityBin[];
  /** Mean epsilon and NMI over the epoch's distorted images, where the method records them. */
  meanEpsilon?: number;
  meanNmi?: number;
  /** Mean confidence over the distorted images where the method measures it with SSIM or PSNR instead of NMI. */
  meanConfidence?: number;
  /** Images per distortion name in this epoch. */
  distortionCounts?: Record<string, number>;
}

/** Accumulates one epoch's loss, timing and method records. */
export class EpochTracker {
  #images = 0;
  #lossSum = 0;
  #stepMilliseconds = 0;
  #dataMilliseconds = 0;
  #epsilonSum = 0;
  #confidenceSum = 0;
  #measuresNmi = false;
  #distorted = 0;
  #measured = 0;
  #counts: Record<string, number> = {};

  /**
   * Adds one step: its batch size, mean loss, method record, duration in
   * milliseconds, and the part of it spent preparing the batch.
   */
  add(size: number, loss: number, record: BatchRecord, milliseconds: number, dataMilliseconds = 0): void {
    this.#images += size;
    this.#lossSum += loss * size;
    this.#stepMilliseconds += milliseconds;
    this.#dataMilliseconds += dataMilliseconds;
    record.distortions?.forEach((name, i) => {
      if (name === null) return;
      this.#counts[name] = (this.#counts[name] ?? 0) + 1;
      this.#distorted++;
      if (record.confidence === undefined || record.epsilon === undefined) return;
      this.#measured++;
      this.#measuresNmi = record.nmi !== undefined;
      this.#confidenceSum += record.confidence[i];
      this.#epsilonSum += record.epsilon[i];
    });
  }

  /** Returns the training throughput so far, counting step time only. */
  imagesPerSecond(): number {
    return this.#images / Math.max(1e-9, this.#stepMilliseconds / 1000);
  }

  /** Returns the metrics of a 0-based epoch, which they store 1-based. */
  summarize(
    epoch: number,
    learningRate: number,
    epochSeconds: number,
    validation: ClassificationSummary,
  ): EpochMetrics {
    const metrics: EpochMetrics = {
      epoch: epoch + 1,
      trainLoss: this.#lossSum / this.#images,
      learningRate,
      trainImagesPerSecond: this.imagesPerSecond(),
      epochSeconds,
      dataSeconds: this.#dataMilliseconds / 1000,
      valTop1: validation.top1,
      valNll: validation.nll,
      valEce: validation.ece,
      valTop5: validation.top5,
      valBrier: validation.brier,
      valMce: validation.mce,
      valReliability: validation.reliabilityDiagram,
    };
    if (this.#distorted > 0) {
      metrics.distortionCounts = this.#counts;
    }
    if (this.#measured > 0) {
      const meanConfidence = this.#confidenceSum / this.#measured;
      if (this.#measuresNmi) metrics.meanNmi = meanConfidence;
      else metrics.meanConfidence = meanConfidence;
      metrics.meanEpsilon = this.#epsilonSum / this.#measured;
    }
    return metrics;
  }
}
