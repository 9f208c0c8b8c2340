/**
 * Stochastic gradient descent with Nesterov momentum and coupled L2 weight
 * decay, following PyTorch's `torch.optim.SGD(nesterov=True)`:
 * g = grad + decay * w (decayed variables only), b = momentum * b + g,
 * w = w - lr * (g + momentum * b).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Hyperparameters of {@linkcode NesterovSgd}. */
export interface SgdOptions {
  /** Momentum coefficient, 0.9 by default. */
  momentum: number;
  /** L2 weight decay applied to the variables named in `decayed`, 5e-4 by default. */
  weightDecay: number;
  /** Names of variables that receive weight decay (conv and dense kernels). */
  decayed: Set<string>;
}

/** SGD with Nesterov momentum; the learning rate is passed per step so a schedule stays outside. */
export class NesterovSgd {
  readonly options: SgdOptions;
  readonly #buffers = new Map<string, tf.Variable>();

  constructor(options: SgdOptions) {
    this.options = options;
  }

  /**
   * Updates each variable from its gradient; disposes nothing it does not own.
   *
   * @param variables Trainable variables by name.
   * @param gradients Gradients by variable name, as `tf.variableGrads` returns them.
   * @param learningRate Step size for this step.
   */
  apply(variables: Map<string, tf.Variable>, gradients: tf.NamedTensorMap, learningRate: number): void {
    const { momentum, weightDecay, decayed } = this.options;
    for (const [name, variable] of variables) {
      const gradient = gradients[variable.name];
      if (gradient === undefined) continue;
      tf.tidy(() => {
        const decayedGradient = decayed.has(name) && weightDecay > 0
          ? tf.add(gradient, tf.mul(variable, weightDecay))
          : gradient;
        const buffer = this.#buffer(name, variable);
        const newBuffer = tf.add(tf.mul(buffer, momentum), decayedGradient);
        buffer.assign(newBuffer);
        const step = tf.add(decayedGradient, tf.mul(newBuffer, momentum));
        variable.assign(tf.sub(variable, tf.mul(step, learningRate)));
      });
    }
  }

  #buffer(name: string, variable: tf.Variable): tf.Variable {
    let buffer = this.#buffers.get(name);
    if (buffer === undefined) {
      buffer = tf.tidy(() => tf.variable(tf.zerosLike(variable), false));
      this.#buffers.set(name, buffer);
    }
    return buffer;
  }

  /**
   * Sets the momentum buffer of one variable, as read back from a checkpoint.
   * The values are copied, so the caller keeps ownership of `values`.
   *
   * @throws {Error} when a buffer of that name exists with another shape.
   */
  setBuffer(name: string, values: tf.Tensor): void {
    const buffer = this.#buffers.get(name);
    if (buffer === undefined) {
      this.#buffers.set(name, tf.tidy(() => tf.variable(values.clone(), false)));
      return;
    }
    if (!tf.util.arraysEqual(buffer.shape, values.shape)) {
      throw new Error(
        `Momentum buffer ${name} has shape [${buffer.shape}], but the new values have shape [${values.shape}].`,
      );
    }
    buffer.assign(values);
  }

  /** Momentum buffers by variable name (for checkpoints and tests). */
  get buffers(): ReadonlyMap<string, tf.Variable> {
    return this.#buffers;
  }

  /** Releases the momentum buffers. */
  dispose(): void {
    for (const buffer of this.#buffers.values()) buffer.dispose();
    this.#buffers.clear();
  }
}
