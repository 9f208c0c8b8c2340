/**
 * Linear filters on interleaved float planes: Gaussian, separable and 2-D correlation,
 * and the one-sided line kernel of ImageMagick's motion blur.
 *
 * A plane is a Float64Array of shape [height, width, channels] in row-major order, so an
 * RGB image has 3 channels and a mask or a noise field has 1.
 *
 * @module
 */

/**
 * Border rule for samples outside the plane, named as in scipy.ndimage.
 * `"nearest"` repeats the edge sample (a a | a b c | c c).
 * `"reflect"` mirrors about the edge and repeats it (b a | a b c | c b).
 * `"mirror"` mirrors about the edge sample without repeating it (c b | a b c | b a),
 * which is OpenCV's default BORDER_REFLECT_101.
 */
export type Border = "nearest" | "reflect" | "mirror";

/** Maps any integer index into [0, n) by the border rule. */
export function borderIndex(index: number, n: number, border: Border): number {
  if (index >= 0 && index < n) return index;
  if (border === "nearest" || n === 1) return index < 0 ? 0 : n - 1;
  if (border === "reflect") {
    const period = 2 * n;
    const folded = ((index % period) + period) % period;
    return folded < n ? folded : period - 1 - folded;
  }
  const period = 2 * n - 2;
  const folded = ((index % period) + period) % period;
  return folded < n ? folded : period - folded;
}

/**
 * Builds the normalized 1-D Gaussian kernel of scipy.ndimage.gaussian_filter, which
 * scikit-image's `gaussian` uses: radius int(truncate * sigma + 0.5), weights
 * exp(-k^2 / (2 sigma^2)) divided by their sum.
 *
 * @param sigma Standard deviation in pixels, >= 0. Sigma 0 returns the identity kernel [1].
 * @param truncate Radius in standard deviations (4 in scikit-image's default).
 * @returns Float64Array of odd length 2 * radius + 1, summing to 1.
 */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  if (!(sigma >= 0 && Number.isFinite(sigma))) {
    throw new RangeError(`gaussianKernel: sigma must be a finite number >= 0, got ${sigma}`);
  }
  const radius = Math.trunc(truncate * sigma + 0.5);
  if (radius === 0) return Float64Array.of(1);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
    sum += kernel[k + radius];
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

/** Correlates each channel of `source` with an odd-length `kernel` along one axis. */
function correlateAxis(
  source: Float64Array,
  height: number,
  width: number,
  channels: number,
  kernel: Float64Array,
  border: Border,
  horizontal: boolean,
): Float64Array {
  const target = new Float64Array(source.length);
  const radius = (kernel.length - 1) / 2;
  const count = horizontal ? width : height;
  const stride = horizontal ? channels : width * channels;
  // Offsets of the taps from the start of the line, per position along the axis.
  const taps = new Int32Array(count * kernel.length);
  for (let position = 0; position < count; position++) {
    for (let k = 0; k < kernel.length; k++) {
      taps[position * kernel.length + k] = borderIndex(position + k - radius, count, border) * stride;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const position = horizontal ? x : y;
      const lineStart = (y * width + x) * channels - position * stride;
      const tapStart = position * kernel.length;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < kernel.length; k++) sum += kernel[k] * source[lineStart + taps[tapStart + k] + c];
        target[(y * width + x) * channels + c] = sum;
      }
    }
  }
  return target;
}

/**
 * Correlates each channel with `rowKernel` along x and then with `columnKernel` along
 * y. Both kernels have odd length and are centered.
 *
 * @returns A new plane of the same shape.
 */
export function correlateSeparable(
  plane: Float64Array,
  height: number,
  width: number,
  channels: number,
  rowKernel: Float64Array,
  columnKernel: Float64Array,
  border: Border,
): Float64Array {
  const rowsDone = rowKernel.length === 1 && rowKernel[0] === 1
    ? plane.slice()
    : correlateAxis(plane, height, width, channels, rowKernel, border, true);
  if (columnKernel.length === 1 && columnKernel[0] === 1) return rowsDone;
  return correlateAxis(rowsDone, height, width, channels, columnKernel, border, false);
}

/**
 * Blurs each channel with a Gaussian of `sigma` pixels, as scikit-image's
 * `gaussian(image, sigma, mode, truncate)` with the channel axis left unblurred.
 */
export function gaussianFilter(
  plane: Float64Array,
  height: number,
  width: number,
  channels: number,
  sigma: number,
  border: Border = "nearest",
  truncate = 4,
): Float64Array {
  const kernel = gaussianKernel(sigma, truncate);
  return correlateSeparable(plane, height, width, channels, kernel, kernel, border);
}

/** Averages each channel over a 3 x 3 window with mirror borders, as OpenCV's `blur(src, (3, 3))`. */
export function boxFilter3(
  plane: Float64Array,
  height: number,
  width: number,
  channels: number,
): Float64Array {
  const kernel = Float64Array.of(1 / 3, 1 / 3, 1 / 3);
  return correlateSeparable(plane, height, width, channels, kernel, kernel, "mirror");
}

/**
 * Correlates each channel with a 2-D kernel of odd size [kernelHeight, kernelWidth]
 * centered on the output pixel, as OpenCV's `filter2D`.
 */
export function correlate2d(
  plane: Float64Array,
  height: number,
  width: number,
  channels: number,
  kernel: Float64Array,
  kernelHeight: number,
  kernelWidth: number,
  border: Border = "mirror",
): Float64Array {
  if (kernel.length !== kernelHeight * kernelWidth || kernelHeight % 2 === 0 || kernelWidth % 2 === 0) {
    throw new RangeError(
      `correlate2d: kernel must have odd sides and length kernelHeight*kernelWidth, got ` +
        `length ${kernel.length} for ${kernelHeight}x${kernelWidth}`,
    );
  }
  const output = new Float64Array(plane.length);
  const radiusY = (kernelHeight - 1) / 2;
  const radiusX = (kernelWidth - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const target = (y * width + x) * channels;
      for (let ky = 0; ky < kernelHeight; ky++) {
        const row = borderIndex(y + ky - radiusY, height, border) * width;
        for (let kx = 0; kx < kernelWidth; kx++) {
          const weight = kernel[ky * kernelWidth + kx];
          if (weight === 0) continue;
          const source = (row + borderIndex(x + kx - radiusX, width, border)) * channels;
          for (let c = 0; c < channels; c++) output[target + c] += weight * plane[source + c];
        }
      }
    }
  }
  return output;
}

/**
 * Blurs each channel along a line, as ImageMagick's MotionBlurImage(radius, sigma,
 * angle) in MagickCore/effect.c, read through its Go port KarpelesLab/mblur. The
 * kernel has 2 * ceil(radius) + 1 taps with one-sided Gaussian weights
 * exp(-i^2 / (2 sigma^2)), i = 0 .. taps - 1, divided by their sum. Tap i reads the
 * pixel at offset (ceil(i cos(angle) - 0.5), ceil(i sin(angle) - 0.5)) in (x, y), so
 * each output pixel averages the pixels that lie from it toward the angle.
 *
 * NOTE: samples outside the image repeat the edge pixel. ImageMagick reads them through
 * its virtual-pixel method, and whether its default matches edge repetition was not
 * checked here.
 *
 * @param radius Kernel radius in pixels, > 0.
 * @param sigma Standard deviation of the weights in pixels, > 0.
 * @param angleDegrees Direction of the blur in degrees, 0 along +x and 90 along +y (down).
 */
export function motionBlurFilter(
  plane: Float64Array,
  height: number,
  width: number,
  channels: number,
  radius: number,
  sigma: number,
  angleDegrees: number,
): Float64Array {
  if (!(radius > 0) || !(sigma > 0) || !Number.isFinite(angleDegrees)) {
    throw new RangeError(
      `motionBlurFilter: radius and sigma must be > 0 and the angle finite, got radius=${radius}, ` +
        `sigma=${sigma}, angle=${angleDegrees}`,
    );
  }
  const taps = 2 * Math.ceil(radius) + 1;
  const weights = new Float64Array(taps);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    weights[i] = Math.exp(-(i * i) / (2 * sigma * sigma));
    sum += weights[i];
  }
  const angle = (angleDegrees * Math.PI) / 180;
  const offsetX = new Int32Array(taps);
  const offsetY = new Int32Array(taps);
  for (let i = 0; i < taps; i++) {
    weights[i] /= sum;
    offsetX[i] = Math.ceil(i * Math.cos(angle) - 0.5);
    offsetY[i] = Math.ceil(i * Math.sin(angle) - 0.5);
  }

  const output = new Float64Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const target = (y * width + x) * channels;
      for (let i = 0; i < taps; i++) {
        const sourceY = borderIndex(y + offsetY[i], height, "nearest");
        const sourceX = borderIndex(x + offsetX[i], width, "nearest");
        const source = (sourceY * width + sourceX) * channels;
        for (let c = 0; c < channels; c++) output[target + c] += weights[i] * plane[source + c];
      }
    }
  }
  return output;
}
