/**
 * Parsers of numeric command-line option values, shared by the tasks. Those with
 * a fallback return it when the option is absent. Every one raises an error that
 * quotes the option, the value and the expected range.
 *
 * @module
 */

/** Decimal notation, with an optional exponent: no hexadecimal, binary or octal forms. */
const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Parses an integer in [minimum, maximum]. */
export function integerInRange(option: string, value: string, minimum: number, maximum: number): number {
  const parsed = number(option, value, minimum);
  if (!Number.isSafeInteger(parsed) || parsed < minimum || parsed > maximum) {
    throw new Error(`Invalid ${option} "${value}": expected an integer in [${minimum}, ${maximum}].`);
  }
  return parsed;
}

/** Parses a finite number. */
export function number(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!DECIMAL.test(value) || !Number.isFinite(parsed)) {
    throw new Error(`Invalid ${option} "${value}": expected a number in decimal notation.`);
  }
  return parsed;
}

/** Parses a number above 0. */
export function positiveNumber(option: string, value: string | undefined, fallback: number): number {
  const parsed = number(option, value, fallback);
  if (!(parsed > 0)) throw new Error(`Invalid ${option} "${value}": expected a number above 0.`);
  return parsed;
}

/** Parses a number of 0 or more. */
export function nonNegativeNumber(option: string, value: string | undefined, fallback: number): number {
  const parsed = number(option, value, fallback);
  if (!(parsed >= 0)) throw new Error(`Invalid ${option} "${value}": expected a number of 0 or more.`);
  return parsed;
}

/** Parses an integer of 1 or more. */
export function positiveInteger(option: string, value: string | undefined, fallback: number): number {
  const parsed = number(option, value, fallback);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new Error(`Invalid ${option} "${value}": expected a positive integer up to 2^53 - 1.`);
  }
  return parsed;
}

/** Parses an integer of 0 or more. */
export function nonNegativeInteger(option: string, value: string | undefined, fallback: number): number {
  const parsed = number(option, value, fallback);
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    throw new Error(`Invalid ${option} "${value}": expected an integer of 0 or more, up to 2^53 - 1.`);
  }
  return parsed;
}
