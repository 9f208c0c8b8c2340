/**
 * Compatibility shim that lets `@tensorflow/tfjs-node` 4.22 load under Deno.
 *
 * tfjs-node calls `util.isNullOrUndefined`, a helper that Node.js deprecated and
 * Deno's `node:util` does not provide. Import this module before tfjs-node; it
 * adds the helper to `node:util` only when it is missing and changes nothing else.
 *
 * @module
 */
import util from "node:util";

type UtilWithLegacyHelpers = typeof util & {
  isNullOrUndefined?: (value: unknown) => boolean;
};

const legacyUtil = util as UtilWithLegacyHelpers;
if (typeof legacyUtil.isNullOrUndefined !== "function") {
  legacyUtil.isNullOrUndefined = (value: unknown) => value === null || value === undefined;
}
