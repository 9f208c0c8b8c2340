/**
 * The ResNet's 2-D convolution, with a faster input gradient on the native backend.
 *
 * For stride 1, "same" padding and an odd kernel, the gradient with respect to the
 * input is itself a stride-1 "same" convolution. It convolves the output gradient with
 * the kernel flipped in both spatial axes and with its two channel axes swapped. On the
 * `tensorflow` backend (TensorFlow 2.21 CPU with oneDNN) that forward convolution
 * ran 1.8 to 4 times faster than the `Conv2DBackpropInput` kernel that tfjs's own
 * gradient calls, which took the largest share of a ResNet-18 training step (see
 * docs/performance.md). Other strides, kernels and backends keep `tf.conv2d` and its
 * gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Returns whether {@linkcode convolve} computes the input gradient as a forward convolution.
 *
 * NOTE: the CUDA build of `--backend tensorflow-gpu` registers under the same name
 * `tensorflow`, so this path runs there too. The sums are the same; the speed was
 * measured on the CPU build only.
 */
export function usesForwardInputGradient(kernelShape: readonly number[], stride: number): boolean {
  return stride === 1 && kernelShape[0] % 2 === 1 && kernelShape[1] % 2 === 1 &&
    tf.getBackend() === "tensorflow";
}

/**
 * Returns the kernel of the input gradient's convolution: `kernel` flipped along its
 * height and width, with the input and output channel axes swapped.
 *
 * @param kernel Shape [kh, kw, in, out].
 * @returns Shape [kh, kw, out, in].
 */
export function inputGradientKernel(kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]));
}

function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[]): tf.Tensor4D {
  const attributes = { strides: 1, pad: "same", dataFormat: "NHWC", filterShape };
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attributes) as tf.Tensor4D;
}

const forwardInputGradientConvolution = tf.customGrad(
  ((x: tf.Tensor4D, kernel: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([x, kernel]);
    return {
      value: tf.conv2d(x, kernel, 1, "same"),
      gradFunc: (dy: tf.Tensor4D, [savedX, savedKernel]: tf.Tensor4D[]) => {
        const flipped = inputGradientKernel(savedKernel);
        const dx = tf.conv2d(dy, flipped, 1, "same");
        flipped.dispose();
        return [dx, filterGradient(savedX, dy, savedKernel.shape)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

/**
 * Convolves `x` with `kernel` at `stride` with "same" padding, as `tf.conv2d` does,
 * and with the same gradients up to float32 rounding.
 *
 * @param x Activations, [N, H, W, C], float32.
 * @param kernel Shape [kh, kw, C, out].
 * @param inputGradient False where nothing needs the gradient with respect to `x`, as
 *   for the images at the network's input. `tf.conv2d` then skips computing it, where
 *   the custom gradient would compute it anyway.
 */
export function convolve(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  stride: number,
  inputGradient = true,
): tf.Tensor4D {
  if (inputGradient && usesSubsampledPointwise(x.shape, kernel.shape, stride)) {
    return tf.tidy(() => convolve(subsample(x, stride), kernel, 1));
  }
  if (!inputGradient || !usesForwardInputGradient(kernel.shape, stride)) {
    return tf.conv2d(x, kernel, stride, "same");
  }
  return forwardInputGradientConvolution(x, kernel) as tf.Tensor4D;
}

/**
 * Returns whether {@linkcode convolve} computes a strided 1x1 convolution as a 1x1
 * convolution of every `stride`-th row and column. With "same" padding and sizes that
 * `stride` divides, both give the same sums.
 *
 * NOTE: TensorFlow 2.21's oneDNN kernel for the input gradient of a strided 1x1
 * convolution (`brgconv_strided:avx512_core`) corrupted the heap on an AVX-512 CPU. That
 * happened with 8 input channels and batches of 1, 5, 7 or 11 images. The subsampled
 * form does not call that kernel.
 */
export function usesSubsampledPointwise(
  inputShape: readonly number[],
  kernelShape: readonly number[],
  stride: number,
): boolean {
  return stride > 1 && kernelShape[0] === 1 && kernelShape[1] === 1 && inputShape[1] % stride === 0 &&
    inputShape[2] % stride === 0 && tf.getBackend() === "tensorflow";
}

/** Keeps every `stride`-th row and column of `x`, starting at the first. */
function subsample(x: tf.Tensor4D, stride: number): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const rows = height / stride;
  const columns = width / stride;
  const grid = tf.reshape(x, [batch, rows, stride, columns, stride, channels]);
  const firstOfEach = tf.slice(grid, [0, 0, 0, 0, 0, 0], [batch, rows, 1, columns, 1, channels]);
  return tf.reshape(firstOfEach, [batch, rows, columns, channels]);
}
