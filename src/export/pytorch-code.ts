/**
 * `aekit export pytorch`: the Python source of the PyTorch module that a model's specs describe,
 * whose `state_dict()` names and shapes are those of aekit's model.safetensors, so that
 * `load_state_dict(load_file(path), strict=True)` fills it. Each stack is an `nn.Sequential` with
 * activations as modules of their own (the numbering of src/nn/torch-names.ts), each layer's
 * modules its type's entry in `PYTORCH_MODULES`; the few layers PyTorch has no module for get a
 * short class of their own, written out only when used.
 */
import { UsageError } from '../errors.js';
import { pair } from '../nn/conv2d.js';
import { Gaussian } from '../nn/gaussian.js';
import type { Layer } from '../nn/layer.js';
import { type LayerOf, type LayerType, layerTypeOf, type SpecOf } from '../nn/layer-types.js';
import type { Sequential } from '../nn/sequential.js';
import type { ExportableNet } from './onnx-export.js';
import type { Scaling } from '../data/scaling.js';

/** The helper classes, each with the reason PyTorch's own modules do not do. */
const HELPERS = {
  TiedLinear: `class TiedLinear(nn.Module):
    """x @ W + b with W the partner nn.Linear's weight (tied weights): only the bias is this layer's own."""

    def __init__(self, partner: nn.Linear):
        super().__init__()
        self.partner = [partner]  # in a list, so that the shared weight is not registered (and saved) twice
        self.bias = nn.Parameter(torch.zeros(partner.in_features))

    def forward(self, x):
        return x @ self.partner[0].weight + self.bias`,
  Center: `class Center(nn.Module):
    """x - mean, the training data's mean per feature (a saved buffer)."""

    def __init__(self, *shape: int):
        super().__init__()
        self.register_buffer("mean", torch.zeros(*shape))

    def forward(self, x):
        return x - self.mean`,
  Uncenter: `class Uncenter(nn.Module):
    """x + the partner Center's mean."""

    def __init__(self, partner: "Center"):
        super().__init__()
        self.partner = [partner]

    def forward(self, x):
        return x + self.partner[0].mean`,
  MaxPool2dKeep: `class MaxPool2dKeep(nn.MaxPool2d):
    """Max pooling that keeps its indices for its MaxUnpool2dFrom partner (SegNet), so it fits in nn.Sequential."""

    def __init__(self, kernel_size, stride, padding):
        super().__init__(kernel_size, stride, padding, return_indices=True)
        self.indices = None

    def forward(self, x):
        y, self.indices = super().forward(x)
        return y`,
  MaxUnpool2dFrom: `class MaxUnpool2dFrom(nn.Module):
    """Puts values back where the partner pooling found its maxima, adding up values sent to one place
    (as aekit does; nn.MaxUnpool2d keeps one of them, which differs only for overlapping windows)."""

    def __init__(self, partner: MaxPool2dKeep, size):
        super().__init__()
        self.partner = [partner]
        self.size = tuple(size)

    def forward(self, x):
        n, c = x.shape[:2]
        out = x.new_zeros(n, c, self.size[0] * self.size[1])
        out.scatter_add_(2, self.partner[0].indices.flatten(2), x.flatten(2))
        return out.view(n, c, *self.size)`,
  Reshape: `class Reshape(nn.Module):
    """Each example viewed in another shape."""

    def __init__(self, *shape: int):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)`,
  Binarize: `class Binarize(nn.Module):
    """1 where x > threshold, else 0 (aekit trains through it with the straight-through estimator)."""

    def __init__(self, threshold: float):
        super().__init__()
        self.threshold = threshold

    def forward(self, x):
        return (x > self.threshold).to(x.dtype)`,
  GaussianCode: `class GaussianCode(nn.Module):
    """A VAE's code: q(z | x) = N(mean, exp(logvar)) from two nn.Linear maps. While training it draws
    z = mean + exp(logvar / 2) * eps (the reparameterisation trick); in eval mode the code is the mean.
    Each forward keeps KL(q(z | x) || N(0, I)) per example in self.kl, for the loss."""

    def __init__(self, in_features: int, units: int):
        super().__init__()
        self.mean = nn.Linear(in_features, units)
        self.logvar = nn.Linear(in_features, units)
        self.kl = None

    def forward(self, x):
        mean, logvar = self.mean(x), self.logvar(x)
        self.kl = 0.5 * (mean.pow(2) + logvar.exp() - logvar - 1).sum(dim=1)
        if not self.training:
            return mean
        return mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)`,
  InputScaling: `class InputScaling(nn.Module):
    """The run's input scaling (aekit train --scale): raw rows x become (x - offset) * factor before the
    encoder, and outputs y in the input space go back to the data's units as y / factor + offset, in
    float64 as aekit computes them. aekit keeps these constants in model.json, not model.safetensors,
    so they are not in the state_dict (keep the module in float32: .double() or .half() would cast them)."""

    def __init__(self, offset, factor, shape):
        super().__init__()
        self.register_buffer("offset", torch.tensor(offset, dtype=torch.float64).reshape(shape), persistent=False)
        self.register_buffer("factor", torch.tensor(factor, dtype=torch.float64).reshape(shape), persistent=False)

    def forward(self, x):
        return ((x.double() - self.offset) * self.factor).to(x.dtype)

    def undo(self, y):
        return (y.double() / self.factor + self.offset).to(y.dtype)`,
} as const;

type Helper = keyof typeof HELPERS;

/** Python's spelling of a number (floats keep a decimal point). */
function py(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

const tuple = (p: readonly (number | string)[]) => (p.length === 1 ? `(${p[0]},)` : `(${p.join(', ')})`);

/** A float64 as Python reads it back to the same double (JavaScript's shortest round-trip form). */
function pyFloat(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * `InputScaling(offset, factor, shape)` for a run's scaling: one number each, or one per feature
 * in the example's shape, ten to a line.
 */
function scalingModule(scaling: Scaling, shape: readonly number[]): string {
  const perFeature = typeof scaling.offset !== 'number' || typeof scaling.factor !== 'number';
  const size = shape.reduce((a, b) => a * b, 1);
  const literal = (value: number | readonly number[]) => {
    // Beside a per-feature array, a single number is written out per feature too, to take the same shape.
    if (typeof value === 'number' && !perFeature) return pyFloat(value);
    const values = typeof value === 'number' ? Array<number>(size).fill(value) : value;
    const lines: string[] = [];
    for (let i = 0; i < values.length; i += 10) lines.push(values.slice(i, i + 10).map(pyFloat).join(', '));
    return `[\n            ${lines.join(',\n            ')},\n        ]`;
  };
  return `InputScaling(${literal(scaling.offset)}, ${literal(scaling.factor)}, ${perFeature ? tuple(shape) : '()'})`;
}

/** The modules of a stack, as Python expressions, with a comment naming each aekit layer. */
class StackWriter {
  readonly helpers = new Set<Helper>();

  constructor(private readonly stacks: readonly Sequential[]) {}

  /** `self.encoder[3]`: how the module of a partner layer is reached from the module being built. */
  partner(layer: Layer, at: string): string {
    for (const stack of this.stacks) {
      const i = stack.layers.indexOf(layer);
      if (i >= 0) return `self.${stack.prefix}[${stack.tensorPrefix(i).split('.').pop()}]`;
    }
    throw new UsageError(`${at}: its partner layer is not in the model`);
  }

  /** The module of an activation (none for the identity). */
  activation(activation: string, slope: number): string[] {
    switch (activation) {
      case 'identity': return [];
      case 'sigmoid': return ['nn.Sigmoid()'];
      case 'tanh': return ['nn.Tanh()'];
      case 'relu': return ['nn.ReLU()'];
      case 'leaky_relu': return [`nn.LeakyReLU(${py(slope)})`];
      default: throw new UsageError(`the activation "${activation}" has no PyTorch module in aekit's exporter`);
    }
  }

  /** A helper class's constructor call, its class written out with the module. */
  use(helper: Helper, args: string): string {
    this.helpers.add(helper);
    return `${helper}(${args})`;
  }

  /** The modules for one layer (none for noise). */
  modules(layer: Layer, at: string): string[] {
    const type = layerTypeOf(layer);
    if (type === null) throw new UsageError(`${at} (${layer.type}): has no PyTorch module in aekit's exporter`);
    return (PYTORCH_MODULES[type] as PytorchModules<LayerType>)(this, layer as LayerOf<LayerType>, at);
  }

  /** `nn.Sequential(...)` for a stack, one module a line with its index and aekit layer; `tail` appended. */
  sequential(stack: Sequential, tail: string[] = []): string {
    const lines: string[] = [];
    let index = 0;
    stack.layers.forEach((layer, i) => {
      const at = `${stack.prefix}.${i}`;
      const modules = this.modules(layer, at);
      if (modules.length === 0) lines.push(`            # ${at} (${layer.type}) acts only while training: no module`);
      modules.forEach((m, k) => lines.push(`            ${m},  # ${index++}: ${at} (${layer.type}${k > 0 ? ', its activation' : ''})`));
    });
    tail.forEach((m) => lines.push(`            ${m},  # ${index++}: the output activation`));
    return `nn.Sequential(\n${lines.join('\n')}\n        )`;
  }
}

/** The PyTorch modules, as Python expressions, that one layer of a type becomes (in the numbering of src/nn/torch-names.ts). */
type PytorchModules<T extends LayerType> = (writer: StackWriter, layer: LayerOf<T>, at: string) => string[];

/** The arguments nn.Conv2d and nn.ConvTranspose2d share. */
const convArguments = (s: SpecOf<'conv2d' | 'conv_transpose2d'>) => ({
  common: `kernel_size=${tuple(pair(s.kernel))}, stride=${tuple(pair(s.stride))}, padding=${tuple(pair(s.padding))}`,
  extra: `dilation=${tuple(pair(s.dilation))}, groups=${s.groups}`,
});

/** Each layer type's PyTorch modules. */
const PYTORCH_MODULES: { [T in LayerType]: PytorchModules<T> } = {
  noise: () => [],
  dense: (writer, layer) => [`nn.Linear(${layer.inputs}, ${layer.outputs})`, ...writer.activation(layer.activation, layer.leakySlope)],
  tied_dense: (writer, layer, at) => [writer.use('TiedLinear', writer.partner(layer.source, at)), ...writer.activation(layer.activation, layer.spec().leakySlope)],
  conv2d: (writer, layer) => {
    const s = layer.spec();
    const { common, extra } = convArguments(s);
    return [`nn.Conv2d(${layer.inputShape[0]}, ${s.filters}, ${common}, ${extra})`, ...writer.activation(layer.activation, layer.leakySlope)];
  },
  conv_transpose2d: (writer, layer) => {
    const s = layer.spec();
    const { common, extra } = convArguments(s);
    return [`nn.ConvTranspose2d(${layer.inputShape[0]}, ${s.filters}, ${common}, output_padding=${tuple(pair(s.outputPadding))}, ${extra})`, ...writer.activation(layer.activation, layer.leakySlope)];
  },
  activation: (writer, layer) => writer.activation(layer.spec().activation, layer.spec().leakySlope).concat(layer.spec().activation === 'identity' ? ['nn.Identity()'] : []),
  batch_norm: (_writer, layer) => {
    const { eps, momentum } = layer.spec();
    return [`nn.BatchNorm${layer.inputShape.length === 1 ? '1d' : '2d'}(${layer.inputShape[0]}, eps=${py(eps)}, momentum=${py(momentum)})`];
  },
  layer_norm: (_writer, layer) => [`nn.LayerNorm(${tuple(layer.inputShape)}, eps=${py(layer.spec().eps)})`],
  dropout: (_writer, layer) => [`nn.Dropout(${py(layer.spec().rate)})`],
  flatten: () => ['nn.Flatten()'],
  reshape: (writer, layer) => [layer.inputShape.length === 1 ? `nn.Unflatten(1, ${tuple(layer.outputShape)})` : writer.use('Reshape', layer.outputShape.join(', '))],
  center: (writer, layer) => [writer.use('Center', layer.inputShape.join(', '))],
  uncenter: (writer, layer, at) => [writer.use('Uncenter', writer.partner(layer.partner, at))],
  binarize: (writer, layer) => [writer.use('Binarize', py(layer.spec().threshold))],
  gaussian: (writer, layer) => [writer.use('GaussianCode', `${layer.inputShape[0]}, ${layer.units}`)],
  upsample: (_writer, layer) => {
    const { scale, mode } = layer.spec();
    return [`nn.Upsample(scale_factor=${tuple(pair(scale).map(py))}, mode="${mode}"${mode === 'bilinear' ? ', align_corners=False' : ''})`];
  },
  max_pool2d: (writer, layer) => {
    const s = layer.spec();
    return [writer.use('MaxPool2dKeep', `${tuple(pair(s.kernel))}, ${tuple(pair(s.stride ?? s.kernel))}, ${tuple(pair(s.padding))}`)];
  },
  max_unpool2d: (writer, layer, at) => {
    writer.helpers.add('MaxPool2dKeep');
    return [writer.use('MaxUnpool2dFrom', `${writer.partner(layer.partner, at)}, ${tuple(layer.outputShape.slice(1))}`)];
  },
};

/** The VAE's loss method: −ELBO per example, averaged over the batch, for the model's likelihood. */
function negativeElbo(likelihood: NonNullable<ExportableNet['likelihood']>, scaled: boolean): string {
  const variance = py(likelihood.sigma ** 2);
  const reconstruction = likelihood.loss === 'bce'
    ? 'nn.functional.binary_cross_entropy(x_hat, x, reduction="sum") / n'
    : likelihood.loss === 'gaussian'
      ? `(x_hat - x).pow(2).sum() / (2 * ${variance}) / n + 0.5 * math.log(2 * math.pi * ${variance}) * x[0].numel()`
      : '(x_hat - x).pow(2).sum() / n';
  return `
    def negative_elbo(self, x):
        """-ELBO = -log p(x | z) + KL(q(z | x) || N(0, I)), the mean over the batch in nats (aekit's VAE
        loss): a draw of z in training mode, the mean code in eval mode."""
        n = x.shape[0]${scaled ? '\n        x = self.scaling(x)  # the loss is in the units aekit trained in' : ''}
        x_hat = ${scaled ? 'self.decoder(self.encoder(x))' : 'self.forward(x)'}
        return ${reconstruction} + self.encoder[-1].kl.mean()
`;
}

/**
 * The Python source of an `Autoencoder(nn.Module)` with `encoder` and `decoder` nn.Sequential
 * stacks (the decoder ending in the output activation), or for a classifier a `Classifier` with
 * `encoder` and `head` stacks (for a segmenter a `Segmenter` with `encoder` and `decoder`) whose
 * forward gives the class scores and `probabilities` their softmax, whose state_dict matches
 * aekit's file.
 * @param origin said in the module's docstring (e.g. the run folder)
 * @throws UsageError naming a layer PyTorch has no module for
 * @example
 * const source = pytorchSource(exportableAutoencoder(model), 'runs/conv');
 */
export function pytorchSource(net: ExportableNet, origin: string): string {
  const writer = new StackWriter([net.encoder, net.decoder]);
  const encoder = writer.sequential(net.encoder);
  const second = writer.sequential(net.decoder, net.outputActivation === 'sigmoid' ? ['nn.Sigmoid()'] : []);
  // Raw rows in (and, for an autoencoder, outputs in the data's units), as aekit encode and decode.
  const scaling = net.scaling ? scalingModule(net.scaling, net.inputShape) : null;
  if (scaling) writer.helpers.add('InputScaling');
  const scaled = (x: string) => (scaling ? `self.scaling(${x})` : x);
  const unscaled = (y: string) => (scaling ? `self.scaling.undo(${y})` : y);
  const scalingField = scaling ? `\n        self.scaling = ${scaling}` : '';
  const order: Helper[] = ['TiedLinear', 'Center', 'Uncenter', 'MaxPool2dKeep', 'MaxUnpool2dFrom', 'Reshape', 'Binarize', 'GaussianCode', 'InputScaling'];
  const helpers = order.filter((h) => writer.helpers.has(h)).map((h) => `${HELPERS[h]}\n\n\n`).join('');
  // A softmax ends a classifier (its second stack is the head) or a segmenter (scores per pixel).
  const scores = net.outputActivation === 'softmax';
  const stack = net.decoder.prefix;
  const name = scores ? (stack === 'head' ? 'Classifier' : 'Segmenter') : 'Autoencoder';
  const body = scores
    ? `class ${name}(nn.Module):
    """Input examples of shape ${tuple(net.inputShape)}, codes of shape ${tuple(net.encoder.outputShape)}, ${net.decoder.outputShape[0]} classes."""

    def __init__(self):
        super().__init__()${scalingField}
        self.encoder = ${encoder}
        self.${stack} = ${second}

    def forward(self, x):
        """The class scores (logits${stack === 'head' ? '' : ', per pixel'}), as nn.CrossEntropyLoss takes them."""
        return self.${stack}(self.encoder(${scaled('x')}))

    def probabilities(self, x):
        return torch.softmax(self.forward(x), dim=1)
`
    : `class Autoencoder(nn.Module):
    """Input examples of shape ${tuple(net.inputShape)}, codes of shape ${tuple(net.encoder.outputShape)}."""

    def __init__(self):
        super().__init__()${scalingField}
        self.encoder = ${encoder}
        self.decoder = ${second}

    def encode(self, x):
        return self.encoder(${scaled('x')})

    def decode(self, h):
        return ${unscaled('self.decoder(h)')}

    def forward(self, x):
        return ${scaling ? 'self.decode(self.encode(x))' : 'self.decoder(self.encoder(x))'}
${net.likelihood && net.encoder.layers.at(-1) instanceof Gaussian ? negativeElbo(net.likelihood, scaling !== null) : ''}`;
  return `"""The PyTorch module of the aekit model ${origin}, written by aekit export pytorch.

Its state_dict has the names and shapes of the run's model.safetensors:

    from safetensors.torch import load_file
    model = ${name}()
    model.load_state_dict(load_file("${origin}/model.safetensors"), strict=True)
    model.eval()
"""
import math

import torch
from torch import nn


${helpers}${body}`;
}
