/**
 * The one interface every compute backend implements.
 *
 * Kernels take plain `Float32Array`s (which may be views at any offset inside a larger buffer),
 * shapes and a params object; they never see a `Tensor`. Output arrays are written in place and
 * never alias an input unless a kernel says so. Matrices are dense row-major.
 */

/** Activation fused into `linearForward` and undone by `activationBackward`. */
export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu';

/** All activations, in a stable order (the native addon indexes them by position). */
export const ACTIVATIONS: readonly Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu'];

/** Elementwise unary functions. `clamp` uses `p0` as the low and `p1` as the high bound. */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'square' | 'sqrt' | 'abs' | 'sign'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'clamp'
  | 'add_scalar' | 'mul_scalar' | 'pow_scalar' | 'rsub_scalar' | 'rdiv_scalar';

export const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'exp', 'log', 'square', 'sqrt', 'abs', 'sign',
  'sigmoid', 'tanh', 'relu', 'leaky_relu', 'clamp',
  'add_scalar', 'mul_scalar', 'pow_scalar', 'rsub_scalar', 'rdiv_scalar',
];

/** Elementwise binary functions, with broadcasting through strides (see `binary`). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min';

export const BINARY_OPS: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min'];

/** C = alpha * op(A) · op(B) + beta * C, op(X) = X or Xᵀ. */
export interface GemmParams {
  /** Rows of op(A) and of C. */
  m: number;
  /** Columns of op(B) and of C. */
  n: number;
  /** Columns of op(A), rows of op(B). */
  k: number;
  a: Float32Array;
  /** A is stored k×m (so op(A) = Aᵀ is m×k). */
  transA: boolean;
  b: Float32Array;
  /** B is stored n×k (so op(B) = Bᵀ is k×n). */
  transB: boolean;
  c: Float32Array;
  alpha: number;
  /** 0 overwrites C (whatever it held, NaN included); 1 accumulates. */
  beta: number;
}

/** Parameters of one Adam step over a flat parameter array. */
export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** 1-based step count, for bias correction. */
  step: number;
  /** λ of the L2 penalty λ‖p‖² (coupled): adds its gradient `2λ * p` to the gradient. */
  l2: number;
  /** Decoupled weight decay (AdamW): shrinks p by `lr * weightDecay * p`, outside the moments. */
  weightDecay: number;
}

/** Parameters of one SGD step over a flat parameter array. */
export interface SgdParams {
  lr: number;
  momentum: number;
  nesterov: boolean;
  /** λ of the L2 penalty λ‖p‖² (coupled): adds `2λ * p` to the gradient before momentum. */
  l2: number;
  /** Decoupled weight decay (SGDW): shrinks p by `lr * weightDecay * p`, outside the velocity. */
  weightDecay: number;
}

/**
 * A 2-d convolution's sizes, NCHW: input [batch, inChannels, inHeight, inWidth], weight
 * [outChannels, inChannels / groups, kernelH, kernelW], output [batch, outChannels, outHeight,
 * outWidth], where output pixel (oh, ow) reads input pixel (oh·strideH − padH + kh·dilationH,
 * ow·strideW − padW + kw·dilationW) for each tap (kh, kw); taps outside the input read 0.
 * The transposed convolution is this convolution's input gradient, with the roles of input and
 * output exchanged.
 */
export interface ConvGeometry {
  batch: number;
  inChannels: number;
  inHeight: number;
  inWidth: number;
  outChannels: number;
  outHeight: number;
  outWidth: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  /** Input and output channels split into this many groups, each convolved on its own. */
  groups: number;
}

/**
 * A 2-d max pooling's sizes: planes = batch · channels, each inHeight × inWidth pooled by a
 * kernelH × kernelW window moved by the stride, with padding that never wins (−∞).
 */
export interface PoolGeometry {
  planes: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

/** The compute kernels. `reference` is the specification; `native` must match it within tolerance. */
export interface Backend {
  readonly name: 'reference' | 'native' | 'wasm';

  /** General matrix multiply, see {@link GemmParams}. */
  gemm(p: GemmParams): void;

  /**
   * y = act(x · wᵀ + bias): x is m×k, w is n×k (nn.Linear's [out, in] layout), bias is n or null,
   * y is m×n. `slope` is leaky relu's negative slope.
   */
  linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
    m: number, k: number, n: number, act: Activation, slope: number): void;

  /** dz = dy * act'(z), written from the activation's output y (every supported act allows it). dz may alias dy. */
  activationBackward(dy: Float32Array, y: Float32Array, dz: Float32Array, act: Activation, slope: number): void;

  /** out[i] = f(a[i]; p0, p1). out may alias a. */
  unary(op: UnaryOp, a: Float32Array, out: Float32Array, p0: number, p1: number): void;

  /**
   * out[idx] = f(a[idx · aStrides], b[idx · bStrides]) over every index of `shape` (row-major).
   * A stride of 0 broadcasts that axis. out is contiguous with `shape`, and may alias an operand
   * that is read with contiguous strides (an elementwise update in place).
   */
  binary(op: BinaryOp, a: Float32Array, aStrides: readonly number[], b: Float32Array,
    bStrides: readonly number[], out: Float32Array, shape: readonly number[]): void;

  /**
   * Sums a (contiguous, `shape`) into out: out[idx · outStrides] += a[idx]. A stride of 0 sums
   * that axis away. out is zeroed first.
   */
  reduceSum(a: Float32Array, shape: readonly number[], out: Float32Array, outStrides: readonly number[]): void;

  /** Column sums of an m×n matrix: out[j] = beta * out[j] + Σ_i a[i, j]. */
  sumRows(a: Float32Array, m: number, n: number, out: Float32Array, beta: number): void;

  /**
   * Fused squared error: returns scale · Σ (pred − target)², and writes grad = 2 · scale · (pred − target)
   * when grad is not null.
   */
  squaredError(pred: Float32Array, target: Float32Array, grad: Float32Array | null, scale: number): number;

  /**
   * Fused, stable binary cross-entropy from logits z: returns scale · Σ [max(z,0) − z·t + log(1 + e^−|z|)],
   * and writes grad = scale · (σ(z) − t) when grad is not null.
   */
  bceWithLogits(logits: Float32Array, target: Float32Array, grad: Float32Array | null, scale: number): number;

  /** Σ a[i], accumulated in float64. */
  sum(a: Float32Array): number;

  /** Σ a[i]², accumulated in float64. */
  sumSquares(a: Float32Array): number;

  /** out = a · alpha + out · beta (AXPBY); out may alias a. */
  axpby(a: Float32Array, alpha: number, out: Float32Array, beta: number): void;

  /** One Adam (or AdamW) step in place over p, using and updating the moments m and v. */
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, params: AdamParams): void;

  /** One SGD step in place over p, using and updating the velocity buffer (ignored when momentum is 0). */
  sgdStep(p: Float32Array, g: Float32Array, velocity: Float32Array, params: SgdParams): void;

  /**
   * Ranks n binary codes (each `words` 32-bit words, at most 255 bits) by Hamming distance to
   * `query` (one code of the same width): indices[r] is the database code at rank r, nearest
   * first, ties by index, and distances[r] its distance. indices and distances hold n entries.
   */
  hammingRank(codes: Uint32Array, words: number, query: Uint32Array, indices: Uint32Array, distances: Uint8Array): void;

  /**
   * y = act(conv(x, w) + bias) (bias per output channel, or null; the activation fused as in
   * `linearForward`); see {@link ConvGeometry}.
   */
  conv2dForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, g: ConvGeometry, act: Activation, slope: number): void;

  /** dx = beta · dx + the gradient of conv(x, w) with respect to x, from dy (the transposed convolution of dy). */
  conv2dBackwardInput(dy: Float32Array, w: Float32Array, dx: Float32Array, g: ConvGeometry, beta: number): void;

  /** dw = beta · dw + the gradient of conv(x, w) with respect to w, from x and dy. */
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, g: ConvGeometry, beta: number): void;

  /**
   * Max pooling: y holds each window's largest value and `indices` its place in its plane
   * (row · inWidth + column; the first of equal values, scanning rows then columns).
   */
  maxPool2d(x: Float32Array, y: Float32Array, indices: Int32Array, g: PoolGeometry): void;

  /**
   * dst = beta · dst, then dst[plane, indices[i]] += src[plane, i] for every plane: max pooling's
   * backward, and max unpooling's forward (values back at their pooling places, zeros elsewhere).
   * src and indices hold `planes · srcSize` values, dst `planes · dstSize`.
   */
  scatterAdd(src: Float32Array, indices: Int32Array, dst: Float32Array, planes: number, srcSize: number, dstSize: number, beta: number): void;

  /**
   * dst[plane, i] = beta · dst[plane, i] + src[plane, indices[plane, i]]: max unpooling's backward.
   * dst and indices hold `planes · dstSize` values, src `planes · srcSize`.
   */
  gather(src: Float32Array, indices: Int32Array, dst: Float32Array, planes: number, srcSize: number, dstSize: number, beta: number): void;

  /**
   * Batch normalisation's statistics: the mean and the biased variance of each channel of x viewed
   * as [n, channels, spatial], over the n examples and the spatial positions (float64 sums).
   */
  channelStats(x: Float32Array, n: number, channels: number, spatial: number, mean: Float32Array, variance: Float32Array): void;

  /** y[i, c, s] = (x[i, c, s] − mean[c]) · scale[c] + shift[c] over x viewed as [n, channels, spatial]; y may alias x. */
  batchNormApply(x: Float32Array, n: number, channels: number, spatial: number, mean: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array): void;

  /**
   * Batch normalisation's backward for y = γ·x̂ + β, x̂ = (x − mean) · invStd per channel: writes
   * dGamma[c] = Σ dy·x̂ and dBeta[c] = Σ dy, and dx = beta · dx + γ·invStd·(dy − (dBeta + x̂·dGamma) / count)
   * when `batchStats` (the mean and invStd are this batch's, so they carry gradient too; count = n ·
   * spatial), or dx = beta · dx + γ·invStd·dy when they are fixed (running statistics).
   */
  batchNormBackward(x: Float32Array, dy: Float32Array, n: number, channels: number, spatial: number, mean: Float32Array,
    invStd: Float32Array, gamma: Float32Array, batchStats: boolean, dx: Float32Array, beta: number, dGamma: Float32Array, dBeta: Float32Array): void;

  /**
   * Softmax cross-entropy of logits [n, classes, positions] against labels [n, positions] (class
   * indices held as floats, each an integer in [0, classes)): returns [Σ w·(−log softmax_label), Σ w]
   * with w = weights[label] (1 when weights is null), and writes grad = w·(softmax − onehot) when
   * grad is not null. A label that is not a class is an error.
   */
  softmaxCrossEntropy(logits: Float32Array, labels: Float32Array, n: number, classes: number, positions: number,
    weights: Float32Array | null, grad: Float32Array | null): [number, number];

  /**
   * The soft Jaccard loss of logits [n, classes, positions] against labels [n, positions] (class
   * indices held as floats, each an integer in [0, classes)): with p the softmax over classes,
   * I_c = Σ p_c·[label = c], S_c = Σ p_c and L_c = Σ [label = c] summed in float64 over every
   * example and position, returns 1 − (1/K) Σ_c I_c / (S_c + L_c − I_c) over the K classes with
   * L_c > 0 (0 when there are none). When grad is not null it receives d loss / d logits:
   * p_k·(g_k − Σ_c p_c g_c), g_c = d loss / d p_c. A label that is not a class is an error.
   */
  softJaccard(logits: Float32Array, labels: Float32Array, n: number, classes: number, positions: number,
    grad: Float32Array | null): number;

  /** True when every value is finite. */
  allFinite(a: Float32Array): boolean;
}
