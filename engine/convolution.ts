/**
 * The ResNet's 2-D convolution, with a faster input gradient on the native backend.
 *
 * For stride 1, "same" padding and an odd kernel, the gradient with respect to the
 * input is itself a stride-1 "same" convolution. It convolves the output gradient with
 * the kernel flipped in both spatial axes and with its two channel axes swapped. On the
 * `tensorflow` backend (TensorFlow 2.21 CPU with oneDNN off, on AVX2) that forward
 * convolution ran 1.8 to 4 times faster than the `Conv2DBackpropInput` kernel that tfjs's own
 * gradient calls, which took the largest share of a ResNet-18 training step (see
 * docs/performance.md). The input gradient of a 3x3 stride-2 convolution of a small
 * even-sized input is computed by phases (see {@linkcode phaseInputGradient}).
 *
 * Both forms pay off only where TensorFlow runs its Eigen kernels. With its oneDNN
 * kernels (see engine/onednn.ts), `Conv2DBackpropInput` was about as fast as the
 * forward form and faster than the phases, and whole steps at width 1 ran about 1.03
 * times as fast without either form. So they apply only with oneDNN off. Other strides, kernels and backends keep
 * `tf.conv2d` and its gradient.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { oneDnnEnabled } from "./onednn.ts";

/**
 * Returns whether {@linkcode convolve} computes the input gradient as a forward
 * convolution: on the `tensorflow` backend with oneDNN off, for stride 1 and odd kernels.
 *
 * NOTE: the CUDA build of `--backend tensorflow-gpu` registers under the same name
 * `tensorflow`, so this path runs there too. The sums are the same; the speed was
 * measured on the CPU build only.
 */
export function usesForwardInputGradient(
  kernelShape: readonly number[],
  stride: number,
  oneDnn = oneDnnEnabled(),
): boolean {
  return stride === 1 && kernelShape[0] % 2 === 1 && kernelShape[1] % 2 === 1 &&
    tf.getBackend() === "tensorflow" && !oneDnn;
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

function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], stride = 1): tf.Tensor4D {
  const attributes = { strides: stride, pad: "same", dataFormat: "NHWC", filterShape };
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
 * Most input pixels (height x width) for which {@linkcode convolve} computes the input
 * gradient of a 3x3 stride-2 convolution by phases. At batch 128 on TensorFlow 2.21
 * with oneDNN off (2-core AMD EPYC, AVX2), the phases took 58.5 ms where `Conv2DBackpropInput` took
 * 121.2 ms at 16 x 16 x 128, and 45.2 against 210.2 ms at 8 x 8 x 256. At 32 x 32 x 64
 * they took 116.3 against 100.3 ms.
 */
export const MAX_PHASE_PIXELS = 256;

/**
 * Returns whether {@linkcode convolve} computes the input gradient by phases: a 3x3
 * kernel at stride 2 on the `tensorflow` backend with oneDNN off, with an even height and width (where
 * "same" padding adds one row and column at the bottom and right only) of at most
 * {@linkcode MAX_PHASE_PIXELS} pixels. As with {@linkcode usesForwardInputGradient},
 * that includes the CUDA build, where the speed was not measured.
 */
export function usesPhaseInputGradient(
  inputShape: readonly number[],
  kernelShape: readonly number[],
  stride: number,
  oneDnn = oneDnnEnabled(),
): boolean {
  const [, height, width] = inputShape;
  return stride === 2 && kernelShape[0] === 3 && kernelShape[1] === 3 && height % 2 === 0 &&
    width % 2 === 0 &&
    height * width <= MAX_PHASE_PIXELS && tf.getBackend() === "tensorflow" && !oneDnn;
}

/** Returns tap (row, column) of `kernel` [3, 3, in, out] as a [1, 1, out, in] kernel. */
function transposedTap(kernel: tf.Tensor4D, row: number, column: number): tf.Tensor4D {
  const [, , inputs, outputs] = kernel.shape;
  const tap = tf.reshape(tf.slice(kernel, [row, column, 0, 0], [1, 1, inputs, outputs]), [inputs, outputs]);
  return tf.reshape(tf.transpose(tap), [1, 1, outputs, inputs]);
}

/**
 * Returns the input gradient of a 3x3 stride-2 "same" convolution of an input with
 * even height and width, from the output gradient `dy` [N, H/2, W/2, out].
 *
 * With such padding, output row i reads input rows 2i, 2i + 1 and 2i + 2 through kernel
 * rows 0, 1 and 2. So an even input row 2m gets dy row m through kernel row 0 and dy
 * row m - 1 through kernel row 2. An odd row 2m + 1 gets dy row m through kernel row
 * 1. Columns work alike. Each of the four (row, column) parities is one stride-1
 * convolution of `dy` with its 1 to 4 taps, and a depth-to-space interleaves them. The
 * taps are the 9 of the kernel, so the work is that of the forward convolution.
 *
 * @param dy Shape [N, H/2, W/2, out].
 * @param kernel Shape [3, 3, in, out].
 * @returns Shape [N, H, W, in].
 */
export function phaseInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const tap = (row: number, column: number) => transposedTap(kernel, row, column);
    // One zero row on top and one zero column on the left give dy row m - 1 at m = 0.
    const padded = tf.pad(dy, [[0, 0], [1, 0], [1, 0], [0, 0]]);
    const withoutTop = tf.slice(padded, [0, 1, 0, 0], [-1, -1, -1, -1]) as tf.Tensor4D;
    const withoutLeft = tf.slice(padded, [0, 0, 1, 0], [-1, -1, -1, -1]) as tf.Tensor4D;
    const rows = (top: tf.Tensor4D, bottom: tf.Tensor4D) => tf.concat([top, bottom], 0);
    const columns = (left: tf.Tensor4D, right: tf.Tensor4D) => tf.concat([left, right], 1);
    const evenEven = tf.conv2d(
      padded,
      rows(columns(tap(2, 2), tap(2, 0)), columns(tap(0, 2), tap(0, 0))) as tf.Tensor4D,
      1,
      "valid",
    );
    const evenOdd = tf.conv2d(withoutLeft, rows(tap(2, 1), tap(0, 1)) as tf.Tensor4D, 1, "valid");
    const oddEven = tf.conv2d(withoutTop, columns(tap(1, 2), tap(1, 0)) as tf.Tensor4D, 1, "valid");
    const oddOdd = tf.conv2d(dy, tap(1, 1), 1, "valid");
    // depthToSpace reads channel block 2a + b as row parity a, column parity b.
    return tf.depthToSpace(tf.concat([evenEven, evenOdd, oddEven, oddOdd], 3) as tf.Tensor4D, 2);
  });
}

const phaseInputGradientConvolution = tf.customGrad(
  ((x: tf.Tensor4D, kernel: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([x, kernel]);
    return {
      value: tf.conv2d(x, kernel, 2, "same"),
      gradFunc: (dy: tf.Tensor4D, [savedX, savedKernel]: tf.Tensor4D[]) => [
        phaseInputGradient(dy, savedKernel),
        filterGradient(savedX, dy, savedKernel.shape, 2),
      ],
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
 * @param oneDnn Whether TensorFlow runs its oneDNN kernels, which decides the faster
 *   input gradient. Defaults to {@linkcode oneDnnEnabled}.
 */
export function convolve(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  stride: number,
  inputGradient = true,
  oneDnn = oneDnnEnabled(),
): tf.Tensor4D {
  if (inputGradient && usesSubsampledPointwise(x.shape, kernel.shape, stride)) {
    return tf.tidy(() => convolve(subsample(x, stride), kernel, 1, true, oneDnn));
  }
  if (inputGradient && usesPhaseInputGradient(x.shape, kernel.shape, stride, oneDnn)) {
    return phaseInputGradientConvolution(x, kernel) as tf.Tensor4D;
  }
  if (!inputGradient || !usesForwardInputGradient(kernel.shape, stride, oneDnn)) {
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
