/**
 * A folder of PNG images as a data set: every *.png directly inside it, in natural name order
 * (img2 before img10), all of one size, converted to grayscale in [0, 1].
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { readRegularFile } from '../io/read-file.js';
import { PNG } from 'pngjs';
import { DataError } from '../errors.js';
import type { Dataset } from './dataset.js';

const byName = new Intl.Collator('en', { numeric: true }).compare;

/**
 * The PNG files directly inside a folder, in natural order.
 * @param dir the folder.
 * @example
 * listPngFiles('digits/'); // ['digits/0.png', 'digits/1.png', ..., 'digits/10.png']
 */
export function listPngFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new DataError(`${dir}: cannot read folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return names
    .filter((n) => n.toLowerCase().endsWith('.png') && statSync(join(dir, n)).isFile())
    .sort(byName)
    .map((n) => join(dir, n));
}

/** The most pixels one image may have: 2^26 (8192 × 8192), 256 MiB as RGBA. */
const MAX_PIXELS = 2 ** 26;

/**
 * Decodes PNG bytes to grayscale in [0, 1]: luma 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601).
 * Alpha is ignored, so a transparent pixel counts by its stored colour.
 * @param bytes the file's content.
 * @param file the name used in error messages.
 * @example
 * const { width, height, gray } = decodePngGray(readFileSync('a.png'), 'a.png');
 */
export function decodePngGray(bytes: Uint8Array, file: string): { width: number; height: number; gray: Float32Array } {
  // The size in the header (IHDR, right after the 8-byte signature) is checked before pngjs
  // allocates width × height × 4 bytes for it.
  if (bytes.length >= 24) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const [w, h] = [view.getUint32(16), view.getUint32(20)];
    if (w * h > MAX_PIXELS) throw new DataError(`${file}: its header says ${w}x${h} pixels, more than aekit reads in one image (${MAX_PIXELS})`);
  }
  checkImageStream(bytes, file);
  let png: PNG;
  try {
    // pngjs scales 16-bit samples down to 8 bits and expands palettes and gray to RGBA.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new DataError(`${file}: not a readable PNG image (${(e as Error).message})`);
  }
  const { width, height, data } = png;
  const gray = new Float32Array(width * height);
  for (let p = 0; p < gray.length; p++) {
    const r = data[4 * p];
    const g = data[4 * p + 1];
    const b = data[4 * p + 2];
    // Gray sources have r = g = b: keep them exact instead of going through the weights.
    gray[p] = (r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b) / 255;
  }
  return { width, height, gray };
}

/** Samples per pixel of each PNG colour type (gray, RGB, palette, gray + alpha, RGBA). */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Checks that a PNG's compressed image stream is whole: pngjs decodes a truncated stream without
 * a word, leaving the missing rows black, so a damaged file would train as a wrong image.
 * The IDAT chunks are inflated here (zlib refuses a stream cut short or with a bad checksum), and
 * a non-interlaced image must inflate to all of its rows.
 */
function checkImageStream(bytes: Uint8Array, file: string): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 33 || buffer.readUInt32BE(0) !== 0x89504e47) return; // pngjs names what is wrong
  const parts: Buffer[] = [];
  let header: { width: number; height: number; depth: number; color: number; interlace: number } | undefined;
  for (let at = 8; at + 8 <= buffer.length;) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    const data = buffer.subarray(at + 8, Math.min(buffer.length, at + 8 + length));
    if (type === 'IHDR' && data.length >= 13) {
      header = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), depth: data[8], color: data[9], interlace: data[12] };
    }
    if (type === 'IDAT') parts.push(data);
    if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!header || parts.length === 0) return;
  let inflated: Buffer;
  try {
    inflated = inflateSync(Buffer.concat(parts));
  } catch (e) {
    throw new DataError(`${file}: not a readable PNG image (its compressed image data is damaged or cut short: ${(e as Error).message})`);
  }
  const samples = SAMPLES[header.color];
  if (header.interlace !== 0 || samples === undefined) return;
  const expected = header.height * (1 + Math.ceil((header.width * samples * header.depth) / 8));
  if (inflated.length < expected) {
    throw new DataError(`${file}: not a readable PNG image (its image data holds ${inflated.length} bytes, ${expected} expected for ${header.width}x${header.height} pixels: the file is cut short)`);
  }
}

/**
 * Loads a folder of same-sized PNG images as a data set of grayscale images, example shape [1, height, width].
 * @param dir the folder; only *.png files directly inside it are read.
 * @param options limit: read at most this many files (the first in name order).
 * @throws DataError naming the folder when it has no PNG, or the file that is unreadable or of another size.
 * @example
 * const ds = loadPngFolder('my-digits/'); // ds.shape = [1, 28, 28]
 */
export function loadPngFolder(dir: string, options: { limit?: number } = {}): Dataset {
  let files = listPngFiles(dir);
  if (files.length === 0) throw new DataError(`${dir}: expected PNG images (*.png) in the folder, found none`);
  if (options.limit !== undefined) files = files.slice(0, options.limit);
  let x: Float32Array | undefined;
  let h = 0;
  let w = 0;
  files.forEach((file, i) => {
    const img = decodePngGray(readRegularFile(file, 'PNG image'), file);
    if (!x) {
      h = img.height;
      w = img.width;
      x = new Float32Array(files.length * h * w);
    } else if (img.height !== h || img.width !== w) {
      throw new DataError(`${file}: image ${i} is ${img.width}x${img.height} (width x height), expected ${w}x${h} like ${files[0]}`);
    }
    x.set(img.gray, i * h * w);
  });
  return { x: x ?? new Float32Array(0), n: files.length, features: h * w, shape: [1, h, w], name: dir };
}
