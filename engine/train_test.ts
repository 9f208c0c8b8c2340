import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { ImageDataset, ImageSplit } from "../datasets/types.ts";
import { createMethod } from "../methods/registry.ts";
import { DEFAULT_METHOD_OPTIONS } from "../methods/options.ts";
import type { TrainingMethod } from "../methods/types.ts";
import { defaultCropPadding } from "./augment.ts";
import { DEFAULT_TRAINING, type RunConfig } from "./config.ts";
import type { EpochMetrics } from "./epoch_tracker.ts";
import { Random } from "./random.ts";
import { NonFiniteLossError, type ResumeState, trainModel } from "./train.ts";

const SIDE = 8;

function makeSplit(count: number, seed: number): ImageSplit {
  const random = new Random(seed);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
  const images = new Uint8Array(count * SIDE * SIDE * 3);
  for (let i = 0; i < images.length; i++) {
    const label = labels[Math.floor(i / (SIDE * SIDE * 3))];
    images[i] = Math.max(0, Math.min(255, (label === 0 ? 60 : 190) + Math.round(30 * random.normal())));
  }
  return { images, labels, count, height: SIDE, width: SIDE };
}

const DATASET: ImageDataset = {
  name: "tiny",
  classNames: ["dark", "light"],
  train: makeSplit(8, 1),
  val: makeSplit(4, 2),
  source: "generated in train_test.ts",
};

function configOf(method: string, overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    ...DEFAULT_TRAINING,
    method,
    dataset: "tiny",
    seed: 0,
    epochs: 2,
    batchSize: 3,
    width: 0.125,
    side: SIDE,
    stem: "cifar",
    cropPadding: defaultCropPadding(SIDE),
    methodOptions: DEFAULT_METHOD_OPTIONS,
    ...overrides,
  };
}

function withoutTimings(metrics: EpochMetrics): Omit<EpochMetrics, "trainImagesPerSecond" | "epochSeconds"> {
  const { trainImagesPerSecond: _speed, epochSeconds: _seconds, dataSeconds: _data, ...rest } = metrics;
  return rest;
}

/** `hard` with NaN targets from the first step of epoch `badEpoch` (1-based) on. */
function nanFromEpoch(badEpoch: number, stepsPerEpoch: number): TrainingMethod {
  const hard = createMethod("hard", DEFAULT_METHOD_OPTIONS);
  let steps = 0;
  return {
    name: "nan_from_epoch",
    augment: (batch, random) => hard.augment(batch, random),
    targets(batch, record) {
      const targets = hard.targets(batch, record);
      if (++steps > (badEpoch - 1) * stepsPerEpoch) targets.fill(NaN);
      return targets;
    },
  };
}

Deno.test("trainModel gives the same metrics with batches from workers as from the training thread", async () => {
  await tf.setBackend("cpu");
  const config = configOf("mixup+mi_adaptive", { epochs: 1 });
  const train = (workers: number) =>
    trainModel(config, DATASET, createMethod(config.method, config.methodOptions), {}, undefined, {
      workers,
    });
  assert.deepEqual(withoutTimings(await train(2)), withoutTimings(await train(0)));
});

Deno.test("trainModel resumes to identical metrics", async () => {
  await tf.setBackend("cpu");
  const config = configOf("mi_adaptive");
  const method = () => createMethod("mi_adaptive", config.methodOptions);
  let resume: ResumeState | undefined;
  const uninterrupted = await trainModel(config, DATASET, method(), {
    async onEpoch(_metrics, state) {
      if (state.completedEpochs === 1) {
        resume = { ...state, arrays: await state.captureTensors() };
      }
    },
  });
  assert.ok(resume !== undefined);
  const epochsRun: number[] = [];
  const resumed = await trainModel(config, DATASET, method(), {
    onEpoch: (metrics) => {
      epochsRun.push(metrics.epoch);
    },
  }, resume);
  assert.deepEqual(epochsRun, [2]);
  assert.deepEqual(withoutTimings(resumed), withoutTimings(uninterrupted));
});

Deno.test("trainModel stops on a NaN loss", async () => {
  await tf.setBackend("cpu");
  const config = configOf("hard");
  const completed: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  await assert.rejects(
    trainModel(config, DATASET, nanFromEpoch(2, 3), {
      onEpoch: (_metrics, state) => {
        completed.push(state.completedEpochs);
      },
    }),
    (error: Error) => {
      assert.ok(error instanceof NonFiniteLossError);
      assert.equal(error.epoch, 2);
      assert.equal(error.step, 1);
      assert.match(
        error.message,
        /^Training loss is NaN at epoch 2, step 1 of 3, so the run stopped\. Lower --lr/,
      );
      return true;
    },
  );
  assert.deepEqual(completed, [1]);
  assert.equal(tf.memory().numTensors, tensorsBefore, "the model is disposed");
});

Deno.test("trainModel stops on an absurd learning rate", async () => {
  await tf.setBackend("cpu");
  await assert.rejects(
    trainModel(
      configOf("hard", { learningRate: 1e30, epochs: 1 }),
      DATASET,
      createMethod("hard", DEFAULT_METHOD_OPTIONS),
    ),
    /^NonFiniteLossError: Training loss is (NaN|Infinity|-Infinity) at epoch 1, step \d of 3/,
  );
});

Deno.test("trainModel rejects a resume past the last epoch", async () => {
  await tf.setBackend("cpu");
  const resume: ResumeState = { completedEpochs: 3, history: [], arrays: [] };
  await assert.rejects(
    trainModel(configOf("hard"), DATASET, createMethod("hard", DEFAULT_METHOD_OPTIONS), {}, resume),
    /Cannot resume after epoch 3 of a 2-epoch run\. Pass --force/,
  );
  const short: ResumeState = { completedEpochs: 1, history: [], arrays: [] };
  await assert.rejects(
    trainModel(configOf("hard"), DATASET, createMethod("hard", DEFAULT_METHOD_OPTIONS), {}, short),
    /the checkpoint has metrics of 0 epochs but records 1 completed\. Pass --force/,
  );
});
