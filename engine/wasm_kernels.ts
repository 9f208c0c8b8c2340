/**
 * Starts the `@tensorflow/tfjs-backend-wasm` backend under Deno and fixes the
 * two training kernels of version 4.22 of that package that a conv net needs.
 *
 * - `Conv2DBackpropFilter` is missing, so any gradient with respect to a conv2d
 *   filter fails with "Kernel 'Conv2DBackpropFilter' not registered for backend
 *   'wasm'". This module adds it.
 * - `MaxPoolGrad` is registered but wrong: it starts each window's running
 *   maximum at the smallest positive float instead of -Infinity and keeps the
 *   last of equal values. A window whose maximum is 0 or negative passes no
 *   gradient (unless its input is the tensor's first element), and ties go to
 *   the last position where tfjs' cpu backend and TensorFlow pick the first.
 *   This module replaces it with a JavaScript kernel that matches the cpu backend.
 *
 * The other kernels that a conv, batch norm, ReLU, pooling, dense and softmax
 * cross-entropy training step uses matched the cpu backend to about 1e-8 in a
 * comparison on small shapes (see wasm_kernels_test.ts).
 *
 * Importing this module imports `@tensorflow/tfjs-backend-wasm`, which registers
 * the "wasm" backend with tfjs (priority 2, above `cpu`) as a side effect.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { fileURLToPath } from "node:url";

const WASM_BACKEND = "wasm";

/** A WASM binary that the package ships, resolved to find the folder of all three binaries. */
const WASM_BINARY_SPECIFIER = "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm";

type Padding = tf.Conv2DBackpropFilterAttrs["pad"];

/** Runs a kernel that the wasm backend registers, on TensorInfo values, without creating Tensors. */
function runWasmKernel(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: tf.KernelBackend,
): tf.TensorInfo {
  const config = tf.getKernel(kernelName, WASM_BACKEND);
  if (config === undefined) {
    throw new Error(
      `Kernel '${kernelName}' is not registered for the wasm backend, but Conv2DBackpropFilter needs it. ` +
        "Use @tensorflow/tfjs-backend-wasm 4.22, which registers it.",
    );
  }
  return config.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/**
 * Computes the zero padding of the filter-gradient convolution.
 *
 * It is the forward padding, with the bottom and right sides widened where
 * `dimRoundingMode: "ceil"` lets the last forward window run past the padded
 * input. The missing rows are zeros in the forward pass as well.
 */
function filterGradientPadding(
  xShape: [number, number, number, number],
  dyShape: [number, number, number, number],
  attrs: tf.Conv2DBackpropFilterAttrs,
): { padding: Padding; strideHeight: number; strideWidth: number } {
  const convInfo = tf.backend_util.computeConv2DInfo(
    xShape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = convInfo.padInfo;
  const { strideHeight, strideWidth, filterHeight, filterWidth, inHeight, inWidth } = convInfo;
  const [, outHeight, outWidth] = dyShape;
  if (outHeight !== convInfo.outHeight || outWidth !== convInfo.outWidth) {
    throw new Error(
      `Conv2DBackpropFilter: dy has shape [${dyShape}], but x [${xShape}] with filter ` +
        `[${attrs.filterShape}], strides ${attrs.strides} and pad ${JSON.stringify(attrs.pad)} gives ` +
        `[${convInfo.outShape}]. Pass the dy of that forward conv2d.`,
    );
  }

  const neededBottom = (outHeight - 1) * strideHeight + filterHeight - inHeight - top;
  const neededRight = (outWidth - 1) * strideWidth + filterWidth - inWidth - left;
  const padding: Padding = [
    [0, 0],
    [top, Math.max(bottom, neededBottom)],
    [left, Math.max(right, neededRight)],
    [0, 0],
  ];
  return { padding, strideHeight, strideWidth };
}

/**
 * Computes dL/dfilter of an NHWC conv2d as one dilated convolution.
 *
 * Let x be [N, H, W, Ci] and dy [N, Ho, Wo, Co]. Then dfilter[kh, kw, ci, co]
 * = sum over n, i, j of x[n, i*s + kh - top, j*s + kw - left, ci] * dy[n, i, j, co].
 * That sum is a convolution of x transposed to [Ci, H, W, N] (batch Ci, channels
 * N) with dy transposed to [Ho, Wo, N, Co] as the filter. The convolution has
 * stride 1, dilation equal to the forward stride s and the forward padding. Its
 * output [Ci, >=Kh, >=Kw, Co] is cropped to the first Kh rows and Kw columns and
 * transposed to [Kh, Kw, Ci, Co].
 *
 * The steps call the wasm backend's own Transpose, Conv2D and Slice kernel
 * functions on TensorInfo values rather than tf ops, so they create no Tensor
 * objects, record nothing on the gradient tape and leave the engine's scopes
 * alone. Each intermediate is freed with `disposeData`.
 */
function conv2dBackpropFilterWasm(
  { inputs, backend, attrs }: Parameters<tf.KernelFunc>[0],
): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const filterAttrs = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const kernelBackend = backend as tf.KernelBackend;
  if (filterAttrs.dataFormat !== "NHWC") {
    throw new Error(
      `Conv2DBackpropFilter on wasm supports dataFormat "NHWC" only, got "${filterAttrs.dataFormat}". ` +
        "Use channels-last tensors.",
    );
  }

  const xShape = x.shape as [number, number, number, number];
  const dyShape = dy.shape as [number, number, number, number];
  const { padding, strideHeight, strideWidth } = filterGradientPadding(xShape, dyShape, filterAttrs);
  const [filterHeight, filterWidth, inChannels, outChannels] = filterAttrs.filterShape;

  const xByChannel = runWasmKernel("Transpose", { x }, { perm: [3, 1, 2, 0] }, kernelBackend);
  const dyAsFilter = runWasmKernel("Transpose", { x: dy }, { perm: [1, 2, 0, 3] }, kernelBackend);
  const uncropped = runWasmKernel(
    "Conv2D",
    { x: xByChannel, filter: dyAsFilter },
    { strides: [1, 1], pad: padding, dataFormat: "NHWC", dilations: [strideHeight, strideWidth] },
    kernelBackend,
  );
  kernelBackend.disposeData(xByChannel.dataId);
  kernelBackend.disposeData(dyAsFilter.dataId);

  let cropped = uncropped;
  if (uncropped.shape[1] !== filterHeight || uncropped.shape[2] !== filterWidth) {
    cropped = runWasmKernel(
      "Slice",
      { x: uncropped },
      { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] },
      kernelBackend,
    );
    kernelBackend.disposeData(uncropped.dataId);
  }

  const filterGradient = runWasmKernel("Transpose", { x: cropped }, { perm: [1, 2, 0, 3] }, kernelBackend);
  kernelBackend.disposeData(cropped.dataId);
  return filterGradient;
}

/** The wasm backend methods that {@linkcode maxPoolGradWasm} uses beyond KernelBackend. */
interface WasmBackendMethods {
  readSync(dataId: tf.DataId): tf.BackendValues;
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.BackendValues,
  ): tf.TensorInfo;
}

/**
 * Adds each dy value to the input position that contains its window's maximum.
 *
 * The maximum is the first largest value in row-major window order, as in the
 * cpu backend. Positions in the padding are skipped, and a window with no value
 * above -Infinity (all -Infinity or NaN) passes no gradient, also as on cpu.
 */
function scatterMaxPoolGradient(
  x: Float32Array,
  dy: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, padInfo } = info;
  const dx = new Float32Array(x.length);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let outRow = 0; outRow < outHeight; outRow++) {
      const rowStart = outRow * info.strideHeight - padInfo.top;
      for (let outColumn = 0; outColumn < outWidth; outColumn++) {
        const columnStart = outColumn * info.strideWidth - padInfo.left;
        for (let channel = 0; channel < inChannels; channel++) {
          let maxValue = Number.NEGATIVE_INFINITY;
          let maxIndex = -1;
          for (
            let row = Math.max(rowStart, 0);
            row < Math.min(rowStart + info.effectiveFilterHeight, inHeight);
            row++
          ) {
            for (
              let column = Math.max(columnStart, 0);
              column < Math.min(columnStart + info.effectiveFilterWidth, inWidth);
              column++
            ) {
              const index = ((b * inHeight + row) * inWidth + column) * inChannels + channel;
              if (x[index] > maxValue) {
                maxValue = x[index];
                maxIndex = index;
              }
            }
          }
          if (maxIndex >= 0) dx[maxIndex] += dy[dyIndex];
          dyIndex++;
        }
      }
    }
  }
  return dx;
}

/**
 * Computes dL/dinput of an NHWC max pool on the JavaScript side of the wasm
 * backend. It copies x and dy out of the wasm heap, scatters dy in plain
 * JavaScript and writes dx [N, H, W, C] back as a new tensor.
 */
function maxPoolGradWasm({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const wasmBackend = backend as WasmBackendMethods;
  const poolInfo = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );

  const x = wasmBackend.readSync(input.dataId) as Float32Array;
  const dyValues = wasmBackend.readSync(dy.dataId) as Float32Array;
  const dx = scatterMaxPoolGradient(x, dyValues, poolInfo);
  return wasmBackend.makeOutput(input.shape, "float32", undefined, dx);
}

/** Kernels that this module adds to the wasm backend, and whether each replaces the package's own. */
const TRAINING_KERNELS: { config: tf.KernelConfig; replacesPackageKernel: boolean }[] = [
  {
    config: {
      kernelName: tf.Conv2DBackpropFilter,
      backendName: WASM_BACKEND,
      kernelFunc: conv2dBackpropFilterWasm,
    },
    replacesPackageKernel: false,
  },
  {
    config: { kernelName: tf.MaxPoolGrad, backendName: WASM_BACKEND, kernelFunc: maxPoolGradWasm },
    replacesPackageKernel: true,
  },
];

/**
 * Registers the wasm training kernels of this module: adds `Conv2DBackpropFilter`
 * and replaces the package's `MaxPoolGrad`.
 *
 * Safe to call more than once: a kernel that this module already registered is
 * left as it is. A `Conv2DBackpropFilter` that another package registered for
 * "wasm" (for example a newer tfjs-backend-wasm) is also kept. A `MaxPoolGrad`
 * that is not this module's is always replaced. The backend need not be active,
 * because registration only fills the kernel registry.
 *
 * @returns The names of the kernels this call registered or replaced, empty when all were in place.
 */
export function registerWasmTrainingKernels(): string[] {
  const registered: string[] = [];
  for (const { config, replacesPackageKernel } of TRAINING_KERNELS) {
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined && !replacesPackageKernel) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  return registered;
}

/**
 * Returns the folder that contains the package's `.wasm` binaries, as a file
 * system path ending in "/".
 *
 * Under Deno the package loads as its Node.js build, whose Emscripten loader
 * reads the binary with `fs.readFileSync(prefix + name)`, so a plain path works.
 */
function wasmBinaryDirectory(): string {
  const binaryUrl = new URL(import.meta.resolve(WASM_BINARY_SPECIFIER));
  if (binaryUrl.protocol !== "file:") {
    throw new Error(
      `The wasm binaries resolved to ${binaryUrl.href}, not a local file. ` +
        'Install @tensorflow/tfjs-backend-wasm into node_modules (deno.json "nodeModulesDir": "manual").',
    );
  }
  return fileURLToPath(new URL("./", binaryUrl));
}

/**
 * Makes the wasm backend the active tfjs backend, ready for training.
 *
 * Points `setWasmPaths` at the `.wasm` files in
 * `node_modules/@tensorflow/tfjs-backend-wasm/dist/`, registers the missing
 * training kernels, then runs `tf.setBackend("wasm")` and `tf.ready()`. Under
 * Deno 2.9 the package selects the SIMD binary and runs single-threaded,
 * because it finds no multithreading support.
 *
 * @throws {Error} when the binaries are not in a local node_modules folder or the backend fails to start.
 */
export async function initializeWasmBackend(): Promise<void> {
  setWasmPaths(wasmBinaryDirectory());
  registerWasmTrainingKernels();
  if (!(await tf.setBackend(WASM_BACKEND))) {
    throw new Error(
      `tf.setBackend("wasm") failed. The .wasm files were expected in ${wasmBinaryDirectory()}. ` +
        "Reinstall @tensorflow/tfjs-backend-wasm 4.22 (npm ci) or use another backend.",
    );
  }
  await tf.ready();
}
