/**
 * The final model of a finished run, restored from its last checkpoint for the
 * evaluations that `bench` adds to stored runs.
 *
 * @module
 */
import type { ImageDataset } from "../datasets/types.ts";
import { readCheckpoint } from "./checkpoint.ts";
import type { RunConfig } from "./config.ts";
import { disposeResNet18, type ResNet18 } from "./resnet.ts";
import { NesterovSgd } from "./sgd.ts";
import { createRunModel } from "./train.ts";
import { restoreTrainingTensors } from "./training_state.ts";

/**
 * Restores a finished run's final weights from its checkpoint, passes the model to
 * `use`, and disposes it afterwards.
 *
 * @param purpose What the caller does, for the error messages: "evaluate robustness of".
 * @throws {Error} when the folder has no valid checkpoint, or one from before the last epoch.
 */
export async function withFinalModel<T>(
  directory: string,
  config: RunConfig,
  dataset: ImageDataset,
  purpose: string,
  use: (model: ResNet18) => Promise<T>,
): Promise<T> {
  const read = await readCheckpoint(directory);
  if (read.status !== "valid") {
    const reason = read.status === "missing" ? "it has no checkpoint" : read.reason;
    throw new Error(
      `Cannot ${purpose} ${directory}: ${reason}. ` +
        "Runs stored before checkpoints existed must be trained again (--force).",
    );
  }
  const { manifest, arrays } = read.checkpoint;
  if (manifest.completedEpochs !== config.epochs) {
    throw new Error(
      `Cannot ${purpose} ${directory}: its checkpoint is after epoch ` +
        `${manifest.completedEpochs} of ${config.epochs}. Run bench again to finish training first.`,
    );
  }
  const model = createRunModel(config, dataset.classNames.length);
  const optimizer = new NesterovSgd({ momentum: config.momentum, weightDecay: 0, decayed: model.decayed });
  try {
    restoreTrainingTensors(model, optimizer, arrays.filter((array) => array.group !== "momentum"));
    return await use(model);
  } finally {
    optimizer.dispose();
    disposeResNet18(model);
  }
}
