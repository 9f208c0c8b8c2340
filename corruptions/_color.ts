/**
 * Color conversions of single pixels with channels in [0, 1].
 *
 * @module
 */

function writeTriple(
  target: Float64Array,
  offset: number,
  first: number,
  second: number,
  third: number,
): void {
  target[offset] = first;
  target[offset + 1] = second;
  target[offset + 2] = third;
}

/**
 * Converts RGB to HSV as scikit-image's `rgb2hsv`: value = max, saturation =
 * (max - min) / max (0 for black), hue in [0, 1) with red at 0 (0 for grays).
 *
 * @param target Receives [hue, saturation, value] at `offset`.
 */
export function rgbToHsv(red: number, green: number, blue: number, target: Float64Array, offset = 0): void {
  const value = Math.max(red, green, blue);
  const delta = value - Math.min(red, green, blue);
  let hue = 0;
  if (delta > 0) {
    if (blue === value) hue = 4 + (red - green) / delta;
    else if (green === value) hue = 2 + (blue - red) / delta;
    else hue = (green - blue) / delta;
    hue = (((hue / 6) % 1) + 1) % 1;
  }
  target[offset] = hue;
  target[offset + 1] = delta > 0 ? delta / value : 0;
  target[offset + 2] = value;
}

/**
 * Converts HSV to RGB as scikit-image's `hsv2rgb`, the inverse of {@linkcode rgbToHsv}.
 *
 * @param target Receives [red, green, blue] at `offset`.
 */
export function hsvToRgb(
  hue: number,
  saturation: number,
  value: number,
  target: Float64Array,
  offset = 0,
): void {
  const sector = Math.floor(hue * 6);
  const fraction = hue * 6 - sector;
  const p = value * (1 - saturation);
  const q = value * (1 - fraction * saturation);
  const t = value * (1 - (1 - fraction) * saturation);
  switch (((sector % 6) + 6) % 6) {
    case 0:
      return writeTriple(target, offset, value, t, p);
    case 1:
      return writeTriple(target, offset, q, value, p);
    case 2:
      return writeTriple(target, offset, p, value, t);
    case 3:
      return writeTriple(target, offset, p, q, value);
    case 4:
      return writeTriple(target, offset, t, p, value);
    default:
      return writeTriple(target, offset, value, p, q);
  }
}

/** Returns the luma 0.299 R + 0.587 G + 0.114 B of OpenCV's RGB2GRAY. */
export function luma(red: number, green: number, blue: number): number {
  return 0.299 * red + 0.587 * green + 0.114 * blue;
}
