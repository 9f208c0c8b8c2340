/**
 * The geometric RandAugment operations on one float image, in place.
 *
 * Each operation maps every output pixel back to a point of the input image
 * and copies the input pixel that contains that point (nearest-neighbour
 * sampling, torchvision's default for RandAugment). Output pixels whose point
 * falls outside the input get the fill value 0 (black) in every channel, as
 * torchvision's default `fill=None` does. Coordinates put pixel (x, y) over
 * [x, x + 1) x [y, y + 1), so its centre is (x + 0.5, y + 0.5); a point that lies
 * exactly between two pixel centres takes the pixel with the higher index.
 *
 * @module
 */

/** Maps an output pixel centre (x, y) to the input point it samples. */
type InverseMap = (x: number, y: number) => [number, number];

/** Value written where the sampled point lies outside the image. */
export const GEOMETRIC_FILL = 0;

function resampleNearest(image: Float32Array, height: number, width: number, inverse: InverseMap): void {
  const source = image.slice();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sourceX, sourceY] = inverse(x + 0.5, y + 0.5);
      const column = Math.floor(sourceX);
      const row = Math.floor(sourceY);
      const target = (y * width + x) * 3;
      const inside = column >= 0 && column < width && row >= 0 && row < height;
      for (let c = 0; c < 3; c++) {
        image[target + c] = inside ? source[(row * width + column) * 3 + c] : GEOMETRIC_FILL;
      }
    }
  }
}

/**
 * Shears along x about the top-left corner: output pixel (x, y) samples the
 * input at (x + factor * y, y), in the pixel-edge coordinates above.
 *
 * @param factor Shear factor, tan of the shear angle; RandAugment uses |factor| <= 0.3.
 */
export function shearX(image: Float32Array, height: number, width: number, factor: number): void {
  resampleNearest(image, height, width, (x, y) => [x + factor * y, y]);
}

/** Shears along y about the top-left corner: output pixel (x, y) samples the input at (x, y + factor * x). */
export function shearY(image: Float32Array, height: number, width: number, factor: number): void {
  resampleNearest(image, height, width, (x, y) => [x, y + factor * x]);
}

/** Moves the content `pixels` columns to the right (left when negative); the uncovered columns get the fill. */
export function translateX(image: Float32Array, height: number, width: number, pixels: number): void {
  resampleNearest(image, height, width, (x, y) => [x - pixels, y]);
}

/** Moves the content `pixels` rows down (up when negative); the uncovered rows get the fill. */
export function translateY(image: Float32Array, height: number, width: number, pixels: number): void {
  resampleNearest(image, height, width, (x, y) => [x, y - pixels]);
}

/**
 * Rotates the content counter-clockwise (as seen on screen, y pointing down) by
 * `degrees` about the image centre (width / 2, height / 2), as torchvision's
 * `rotate` does for a positive angle; negative angles turn clockwise.
 */
export function rotate(image: Float32Array, height: number, width: number, degrees: number): void {
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const centerX = width / 2;
  const centerY = height / 2;
  resampleNearest(image, height, width, (x, y) => {
    const dx = x - centerX;
    const dy = y - centerY;
    return [centerX + cos * dx - sin * dy, centerY + sin * dx + cos * dy];
  });
}
