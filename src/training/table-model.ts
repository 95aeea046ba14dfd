/**
 * The table preset's model: an autoencoder for rows of real-valued features (a CSV or Arrow
 * table), its layers sized from the table's width, as the deep preset's are sized for 784 pixels.
 */
import type { ShortFormInput } from '../models/config.js';

/** The widest hidden layer and the widest code the table preset builds, whatever the width. */
const MOST_HIDDEN = 256;
const MOST_CODE = 32;

/**
 * The table preset's code size for `width` features: a quarter of the width, rounded up, at most
 * 32 (and 1 for up to 4 features), so that the code is always narrower than the row and the
 * model must summarise it: 7 columns give 2, 20 give 5, 100 give 25, 784 give 32.
 * @example
 * tableCodeSize(20); // 5
 */
export function tableCodeSize(width: number): number {
  return Math.max(1, Math.min(MOST_CODE, Math.ceil(width / 4)));
}

/**
 * The table preset's hidden layer for `width` features: twice the width, at least 16 and at most
 * 256 units, so that a narrow table still gets room for a nonlinear summary and a wide one does
 * not grow a layer larger than the deep preset's second.
 * @example
 * tableHiddenSize(20); // 40
 */
export function tableHiddenSize(width: number): number {
  return Math.max(16, Math.min(MOST_HIDDEN, 2 * width));
}

/**
 * The table preset's model for rows of `width` features: width → hidden → code, leaky relu (slope
 * 0.1, He initialisation, as in the deep preset) with a linear code, mirrored to a linear output
 * with squared error, since a table's standardized features are real numbers, not values in
 * [0, 1]. No centring layer: the preset standardizes its inputs, which centres them already.
 * @param width the number of features in a row
 * @example
 * Autoencoder.create(tableModel(20)); // 20-40-5-40-20
 */
export function tableModel(width: number): ShortFormInput {
  return {
    layers: [width, tableHiddenSize(width), tableCodeSize(width)],
    hiddenActivation: 'leaky_relu',
    leakySlope: 0.1,
    init: 'he-normal',
    codeActivation: 'identity',
    outputActivation: 'identity',
    loss: 'mse',
  };
}
