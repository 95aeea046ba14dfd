/**
 * Numbers as people type them in flags and specs: plain decimal notation with an optional
 * exponent (3, 0.5, 1e-3, 2E4), so that "0x10", "Infinity", "" or "1_000" are not taken as numbers.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The number `text` writes in decimal notation, or NaN.
 * @example
 * parseDecimal('1e-3'); // 0.001
 * parseDecimal('0x10'); // NaN
 */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
}
