"""Trains an aekit model under torchrun (PyTorch DistributedDataParallel), with aekit's objective,
optimizer, schedule, batches and splits, and writes the result as an aekit run folder.

Written by `aekit export torchrun`; the job folder holds this script, the module (model.py, as
`aekit export pytorch` writes it), the job description (job.json), the initial weights
(init.safetensors) and a README with the commands. Needs only PyTorch and NumPy.

    torchrun --standalone --nproc_per_node 2 train.py            # CPU (gloo), or one GPU per rank (NCCL)
    torchrun --standalone --nproc_per_node 2 train.py --epochs 1 --limit 2000
    python3 train.py                                              # one process, no torchrun

What is aekit's, exactly: the loss (mean over the global batch of each example's summed loss),
the output activation, the layers' penalties (KL sparsity on the global batch's mean activation,
L1 activity, contractive), coupled L2 and decoupled weight decay, Adam/SGD as aekit steps them,
the learning-rate schedule, the global batch (split across ranks; the gradient is the whole
batch's), batch norm over the global batch, the validation split and the order of the examples
in every epoch (aekit's own generator, ported below); for a variational autoencoder the
reparameterised code z = mu + sigma * eps, its KL term to N(0, I) (beta, free bits, KL warm-up by
the fraction of epochs done), the negative ELBO on validation rows with aekit's own draws of eps,
and dynamically binarised training batches (validation and test rows binarised once by aekit at
export, as aekit scores them). What differs: noise and dropout draw from
torch's generator (seeded by seed, step and rank), not aekit's, so their draws follow the same
distributions but are other draws (the VAE's eps and the binarisation of training batches too; and, as aekit draws those from the generator that also
shuffles, a model with noise or dropout gets aekit's order in its first epoch only); and float
sums run in another order.
"""
import argparse
import gzip
import hashlib
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# safetensors, read and written by hand so that only torch is needed
# ---------------------------------------------------------------------------------------------
DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "U32": torch.int32}


def read_safetensors(path):
    """The tensors of a safetensors file, by name."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        data = bytearray(raw[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(data, dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"]) if end > begin else torch.zeros(entry["shape"], dtype=DTYPES[entry["dtype"]])
    return out


def write_safetensors(path, tensors, metadata=None):
    """Writes float32 tensors (sorted by name) as aekit does, atomically."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu", torch.float32).contiguous()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    atomic_write(path, struct.pack("<Q", len(text)) + text + b"".join(blobs))


def atomic_write(path, data):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# aekit's generator: xoshiro128** seeded by splitmix32 (src/util/prng.ts), for the same
# validation split and the same order of examples in every epoch
# ---------------------------------------------------------------------------------------------
M32 = 0xFFFFFFFF


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Prng:
    def __init__(self, seed):
        s = seed & M32
        words = []
        for _ in range(4):
            s = (s + 0x9E3779B9) & M32
            z = s
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            words.append((z ^ (z >> 16)) & M32)
        self.s = words
        self.spare = None

    def state(self):
        return list(self.s)

    @staticmethod
    def from_state(words):
        rng = Prng(0)
        rng.s = [w & M32 for w in words]
        return rng

    def uniform(self):
        return self.next_uint32() / 4294967296.0

    def normal(self):
        """aekit's Box-Muller normal: two uniforms give two values, the second kept for the next call."""
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        u1 = 1 - self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2 * math.log(u1))
        self.spare = r * math.sin(2 * math.pi * u2)
        return r * math.cos(2 * math.pi * u2)

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def permutation(self, n):
        """aekit's Fisher-Yates shuffle of 0..n-1: j = floor(uniform * (i + 1)), uniform = u32 / 2^32."""
        p = list(range(n))
        nxt = self.next_uint32
        for i in range(n - 1, 0, -1):
            j = math.floor(nxt() / 4294967296.0 * (i + 1))  # in doubles, as aekit computes it
            p[i], p[j] = p[j], p[i]
        return np.array(p, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# data: IDX (plain or gzipped) and NPY read as aekit reads them; rows gathered per batch, so a
# rank reads only its share, and a plain IDX or NPY file is memory-mapped (data beyond memory)
# ---------------------------------------------------------------------------------------------
IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """An IDX file as a NumPy array (memory-mapped when not gzipped)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        head = f.read(4)
        if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in IDX_TYPES:
            raise ValueError(f"{path}: not an IDX file (magic {head.hex()})")
        dims = struct.unpack(f">{head[3]}I", f.read(4 * head[3]))
        dtype = np.dtype(IDX_TYPES[head[2]])
        if path.endswith(".gz"):
            return np.frombuffer(f.read(), dtype=dtype, count=int(np.prod(dims))).reshape(dims), head[2] == 0x08
    return np.memmap(path, dtype=dtype, mode="r", offset=4 + 4 * len(dims), shape=tuple(dims)), head[2] == 0x08


class Rows:
    """Examples of a source (a 2-D view [n, features], maybe memory-mapped), optionally labels."""

    def __init__(self, x, unit_bytes, labels=None, label_shape=()):
        self.x = x
        self.unit_bytes = unit_bytes  # ubyte IDX pixels become v / 255, as aekit reads them
        self.labels = labels
        self.label_shape = label_shape

    @property
    def n(self):
        return self.x.shape[0]

    def take(self, index, scale):
        """Float32 rows at `index`, scaled as aekit scales them (in float64, then rounded)."""
        rows = np.asarray(self.x[index], dtype=np.float64)
        if self.unit_bytes:
            rows = rows / 255.0
        if scale is not None:
            rows = (rows - np.asarray(scale["offset"], dtype=np.float64)) * np.asarray(scale["factor"], dtype=np.float64)
        return rows.astype(np.float32)

    def take_labels(self, index):
        return None if self.labels is None else np.asarray(self.labels[index], dtype=np.float32)

    def limit(self, n):
        if n is None or n >= self.n:
            return self
        return Rows(self.x[:n], self.unit_bytes, None if self.labels is None else self.labels[:n], self.label_shape)


def resolve(path):
    return path if os.path.isabs(path) else os.path.join(HERE, path)


def open_rows(part):
    """The rows of one part of a source: {"images", "labels"} IDX files or {"x", "labels"?} NPY files."""
    if "images" in part:
        x, unit = read_idx(resolve(part["images"]))
        labels = read_idx(resolve(part["labels"]))[0] if part.get("labels") else None
    else:
        x = np.load(resolve(part["x"]), mmap_mode="r")
        unit = x.dtype == np.uint8  # uint8 NPY values are pixels, as aekit reads them
        labels = np.load(resolve(part["labels"]), mmap_mode="r") if part.get("labels") else None
    x = x.reshape(x.shape[0], -1)
    label_shape = () if labels is None else tuple(labels.shape[1:])
    if labels is not None:
        labels = labels.reshape(labels.shape[0], -1) if labels.ndim > 1 else labels
    return Rows(x, unit, labels, label_shape)


class Split:
    """Rows of a source picked by an index (the train, validation or test split)."""

    def __init__(self, rows, index):
        self.rows = rows
        self.index = np.asarray(index, dtype=np.int64)

    @property
    def n(self):
        return len(self.index)


def split_validation(n, fraction, seed):
    """aekit's splitValidation: a seeded shuffle, the first round(n * fraction) for validation."""
    order = Prng(seed).permutation(n)
    n_val = int(math.floor(n * fraction + 0.5))
    return order[n_val:], order[:n_val]


def job_splits(job, limit=None):
    """The train, validation and test splits of the job's data, as aekit's loadRunData makes them."""
    data = job["data"]
    prepared = data.get("prepared")
    if prepared:
        # a classifier's or segmenter's rows, made by aekit at export: used as they are, no validation
        train_rows, test_rows = open_rows(prepared["train"]), open_rows(prepared["test"])
        return Split(train_rows, np.arange(train_rows.n)), Split(train_rows, np.arange(0)), Split(test_rows, np.arange(test_rows.n))
    source = data["source"]
    limit = data.get("limit") if limit is None else limit
    train_all = open_rows(source["train"]).limit(limit)
    if source.get("test"):
        test_rows = open_rows(source["test"]).limit(data.get("testLimit"))
        test = Split(test_rows, np.arange(test_rows.n))
        pool = np.arange(train_all.n)
    else:
        # A single file gives up a seeded sixth of its rows as the test set (seed + 1).
        keep, held = split_validation(train_all.n, 1 / 6, data["seed"] + 1)
        test_limit = data.get("testLimit")
        test = Split(train_all, held if test_limit is None else held[:test_limit])
        pool = keep
    train_local, val_local = split_validation(len(pool), data["validationFraction"], data["seed"])
    validation = Split(train_all, pool[val_local])
    held = data.get("heldOut")
    if held:
        # binarised once by aekit at export, in the splits' order (see export-job.ts)
        validation = Split(open_rows(held["validation"]), np.arange(validation.n))
        test = Split(open_rows(held["test"]), np.arange(test.n))
    return Split(train_all, pool[train_local]), validation, test


# ---------------------------------------------------------------------------------------------
# the objective: the model's modules run layer by layer as aekit's layers, with noise, dropout,
# global batch norm and the penalties that aekit's layers add
# ---------------------------------------------------------------------------------------------
class TorchDraws:
    """Random numbers for noise and dropout from torch's generator, reseeded each step."""

    def __init__(self, device):
        self.generator = torch.Generator(device="cpu")
        self.device = device

    def reseed(self, seed, step, rank):
        self.generator.manual_seed((seed * 1_000_003 + step) * 4099 + rank)

    def uniform(self, shape):
        return torch.rand(shape, generator=self.generator, dtype=torch.float64).to(self.device)

    def normal(self, shape):
        return torch.randn(shape, generator=self.generator).to(self.device)


class Collective:
    """Sums over ranks that carry gradients (torch.distributed.nn), or nothing with one process."""

    def __init__(self, world):
        self.world = world

    def sum(self, t):
        if self.world == 1:
            return t
        from torch.distributed import nn as dist_nn

        return dist_nn.all_reduce(t)

    def sum_value(self, t):
        """The sum over ranks of a value that carries no gradient (on the ranks' device for NCCL; back on the CPU)."""
        if self.world > 1:
            device = torch.device(f"cuda:{torch.cuda.current_device()}") if dist.get_backend() == "nccl" else torch.device("cpu")
            t = t.detach().to(device).clone()
            dist.all_reduce(t)
        return t.cpu()


def batch_norm_global(module, x, collective):
    """Batch norm in training mode over the global batch (every rank's rows), updating the running
    statistics as aekit does (unbiased variance in the running average)."""
    dims = [0] + list(range(2, x.dim()))
    count_local = torch.tensor(float(x.numel() // x.shape[1]), dtype=torch.float64, device=x.device)
    count = float(collective.sum_value(count_local).item())
    mean = collective.sum(x.sum(dim=dims)) / count
    shape = [1, -1] + [1] * (x.dim() - 2)
    centred = x - mean.reshape(shape)
    var = collective.sum((centred * centred).sum(dim=dims)) / count
    with torch.no_grad():
        m = module.momentum
        unbias = count / (count - 1) if count > 1 else 1.0
        module.running_mean.mul_(1 - m).add_(m * mean.detach())
        module.running_var.mul_(1 - m).add_(m * var.detach() * unbias)
        module.num_batches_tracked.add_(1)
    y = centred / torch.sqrt(var + module.eps).reshape(shape)
    return y * module.weight.reshape(shape) + module.bias.reshape(shape)


def derivative_from_output(h, activation, slope):
    """act'(a) written through act(a) = h, as aekit's contractive penalty computes it."""
    if activation == "identity":
        return None
    if activation == "sigmoid":
        return h * (1 - h)
    if activation == "tanh":
        return 1 - h * h
    if activation == "relu":
        return torch.sign(h).detach()
    if activation == "leaky_relu":
        return (torch.sign(torch.relu(h)) * (1 - slope) + slope).detach()
    raise ValueError(f"contractive penalty: unknown activation {activation}")


class Objective(nn.Module):
    """aekit's training objective for one rank's share of a global batch.

    forward(x, y, rows) gives (objective, data_sum): `objective` is scaled so that DDP's average of
    the ranks' gradients is the gradient of aekit's objective for the whole batch of `rows`
    examples; `data_sum` is this rank's summed data loss (for the epoch's training loss)."""

    def __init__(self, net, job, world=1, draws=None):
        super().__init__()
        self.net = net
        self.job = job
        self.collective = Collective(world)
        self.world = world
        self.draws = draws
        self.stacks = [(name, getattr(net, name), layers) for name, layers in job["stacks"].items()]
        self.params_by_name = dict(net.named_parameters())
        # epochs done, fractional (steps / steps per epoch), for a Gaussian code's KL warm-up; aekit
        # takes a missing epoch as warm-up done
        self.epoch = math.inf
        # eps of aekit's ELBO estimate at inference (set by evaluate for validation rows), and the
        # KL summed over the rows of that pass
        self.elbo_noise = None
        self.elbo_kl = None
        # beta * (log p(z) - log q(z | x)) of each example's k draws ([rows, k]) while an
        # importance-weighted code trains, for data_sum
        self.importance = None
        # stacks that run at inference and do not learn (a classifier's frozen encoder, as aekit classify trains without --finetune)
        self.frozen = set(job["training"].get("frozen", []))
        for name in self.frozen:
            for p in getattr(net, name).parameters():
                p.requires_grad_(False)

    def run_stack(self, seq, layers, x, training, penalties, rows):
        for layer in layers:
            kind = layer["type"]
            if kind == "noise":
                if training:
                    x = self.corrupt(x, layer["noise"])
            elif kind == "gaussian":
                x = self.gaussian(seq[layer["modules"][0]], layer["gaussian"], x, training, penalties, rows)
            elif kind == "dropout":
                if training and layer["rate"] > 0:
                    u = self.draws.uniform(x.shape)
                    x = x * torch.where(u < layer["rate"], 0.0, 1.0 / (1.0 - layer["rate"])).to(x.dtype)
            else:
                for i in range(layer["modules"][0], layer["modules"][1]):
                    module = seq[i]
                    if training and isinstance(module, nn.modules.batchnorm._BatchNorm):
                        x = batch_norm_global(module, x, self.collective)
                    elif training and type(module).__name__ == "Binarize":
                        # the straight-through estimator: the forward's values, the identity's gradient
                        x = x + (module(x) - x).detach()
                    else:
                        x = module(x)
            if training and "penalty" in layer:
                penalties.append(("penalty", self.penalty(layer["penalty"], x, rows)))
        return x

    def gaussian(self, module, spec, h, training, penalties, rows):
        """A VAE's code (src/nn/gaussian.ts): z = mu + exp(logvar / 2) * eps while training, its
        beta-weighted KL to N(0, I) added to the data term; mu at inference, or a draw with aekit's
        own eps when evaluate asks for the ELBO."""
        mean, logvar = module.mean(h), module.logvar(h)
        warmup = spec["warmup"]
        beta = spec["beta"] * min(1.0, self.epoch / warmup) if warmup > 0 else spec["beta"]
        samples = spec.get("samples", 1)
        if training and samples > 1:
            # the k-sample importance-weighted bound (src/models/importance-weighted.ts): k draws per
            # example, example-major; log p(z) - log q(z | x) = -|z|^2/2 + |eps|^2/2 + sum(logvar)/2,
            # scaled by beta during warm-up; data_sum adds log p(x | z) and takes the log-mean-exp
            rows, units = mean.shape
            eps = self.draws.normal((rows, samples, units)).to(mean.dtype)
            z = mean.unsqueeze(1) + torch.exp(0.5 * logvar).unsqueeze(1) * eps
            ratio = 0.5 * ((eps * eps).sum(2) - (z * z).sum(2) + logvar.sum(1, keepdim=True))
            self.importance = beta * ratio
            return z.reshape(rows * samples, units)
        if training:
            eps = self.draws.normal(mean.shape).to(mean.dtype)
        elif self.elbo_noise is not None:
            eps = self.elbo_noise[: mean.shape[0]].to(mean.device, mean.dtype)
        else:
            return mean
        z = mean + torch.exp(0.5 * logvar) * eps
        kl = 0.5 * (mean * mean + torch.exp(logvar) - logvar - 1)
        if not training:
            self.elbo_kl = kl.sum()
            return z
        if spec["freeBits"] <= 0:
            # a sum over this rank's rows, which forward scales as the data term (world / rows)
            penalties.append(("data", beta * kl.sum()))
        else:
            # max(lambda, a unit's mean KL over the global batch); every rank adds the whole term (see penalty)
            per_unit = self.collective.sum(kl.sum(dim=0)) / rows
            term = beta * (torch.relu(per_unit - spec["freeBits"]).sum() + spec["freeBits"] * per_unit.shape[0])
            penalties.append(("data", term * rows / self.world))
        return z

    def corrupt(self, x, noise):
        kind, amount = noise["kind"], noise["amount"]
        if kind == "gaussian":
            return x + amount * self.draws.normal(x.shape).to(x.dtype)
        u = self.draws.uniform(x.shape)
        keep = (u >= amount).to(x.dtype)
        if kind == "mask":
            return x * keep
        fill = ((u >= amount / 2) & (u < amount)).to(x.dtype)  # salt-and-pepper: 0 or 1 at even odds
        return x * keep + fill

    def penalty(self, spec, h, rows):
        """The layer's terms, each as aekit's; per-example means over the global batch."""
        total = h.new_zeros(())
        per_row = self.world / rows  # this rank's sums count as a share of the global mean
        if "kl" in spec:
            rho, beta = spec["kl"]["rho"], spec["kl"]["beta"]
            units = h.shape[-1]
            rho_hat = torch.clamp(self.collective.sum(h.sum(dim=0)) / rows, 1e-6, 1 - 1e-6)
            constant = units * (rho * math.log(rho) + (1 - rho) * math.log(1 - rho))
            cross = rho * torch.log(rho_hat).sum() + (1 - rho) * torch.log(1 - rho_hat).sum()
            # every rank adds the whole term: the all-reduce's backward sums the ranks' gradients
            # of it and DDP's average divides them again
            total = total + beta * (constant - cross)
        if "l1" in spec:
            total = total + spec["l1"] * h.abs().sum() * per_row
        if "contractive" in spec:
            c = spec["contractive"]
            weight = self.params_by_name[c["weight"]]
            d = derivative_from_output(h, c["activation"], c["slope"])
            if d is None:
                total = total + c["lambda"] * (weight * weight).sum()
            else:
                row_norms = (weight * weight).sum(dim=1)
                total = total + c["lambda"] * per_row * (d * d * row_norms).sum()
        return total

    def scores(self, x, training, penalties, rows):
        for name, seq, layers in self.stacks:
            if name in self.frozen:
                seq.eval()
                with torch.no_grad():
                    x = self.run_stack(seq, layers, x, False, penalties, rows)
            else:
                x = self.run_stack(seq, layers, x, training, penalties, rows)
        return x

    def data_sum(self, out, x, y):
        """The summed data loss of these rows and the sum that divides it (None: the global batch size)."""
        kind = self.job["kind"]
        if kind == "autoencoder":
            output = self.job["output"]
            if output["loss"] == "bce" and self.importance is not None:
                ratio, self.importance = self.importance, None
                rows, k = ratio.shape
                nll = F.binary_cross_entropy_with_logits(out, x.repeat_interleave(k, dim=0), reduction="none").reshape(rows, k, -1).sum(2)
                # minus the bound log (1/k) sum_i w_i of each example, summed over this rank's rows
                return -(torch.logsumexp(ratio - nll, dim=1) - math.log(k)).sum(), None
            if output["loss"] == "bce":
                return F.binary_cross_entropy_with_logits(out, x, reduction="sum"), None
            pred = torch.sigmoid(out) if output["activation"] == "sigmoid" else out
            return ((pred - x) ** 2).sum(), None
        labels = y.long().reshape(out.shape[0], *out.shape[2:])
        weights = self.job.get("classWeights")
        if weights is None:
            return F.cross_entropy(out, labels, reduction="sum"), float(labels.numel())
        w = torch.tensor(weights, dtype=out.dtype, device=out.device)
        return F.cross_entropy(out, labels, weight=w, reduction="sum"), float(w[labels].sum().item())

    def forward(self, x, y, rows, training=True):
        penalties = []
        out = self.scores(x, training, penalties, rows)
        data, norm = self.data_sum(out, x, y)
        # a VAE's KL term is part of aekit's loss (the negative ELBO), not a penalty beside it
        for where, term in penalties:
            if where == "data":
                data = data + term
        penalties = [term for where, term in penalties if where == "penalty"]
        if norm is not None:
            # a weighted mean over every rank's positions: the global normalizer
            norm = float(self.collective.sum_value(torch.tensor(norm, dtype=torch.float64)).item())
            scale = self.world / norm if norm > 0 else 0.0
        else:
            scale = self.world / rows
        objective = data * scale
        for p in penalties:
            objective = objective + p
        return objective, data.detach(), norm


# ---------------------------------------------------------------------------------------------
# aekit's optimizers and schedule (src/training/optimizers.ts, schedule.ts)
# ---------------------------------------------------------------------------------------------
class AekitOptimizer:
    """Adam or SGD as aekit steps them: coupled L2 (gradient 2λθ) per tensor, decoupled weight
    decay on weights only: θ ← (1 − lr·wd)·θ − lr·update."""

    def __init__(self, named, job):
        t = job["training"]
        self.kind = t["optimizer"]
        self.weight_decay = t["weightDecay"]
        self.momentum = t.get("momentum", 0.9)
        self.entries = []
        specs = {p["name"]: p for p in job["parameters"]}
        for name, param in named:
            spec = specs[name]
            self.entries.append((name, param, spec["l2"], self.weight_decay if spec["kind"] == "weight" else 0.0))
        self.step_count = 0
        self.m = [torch.zeros_like(p) for _, p, _, _ in self.entries]
        self.v = [torch.zeros_like(p) for _, p, _, _ in self.entries]
        self.lr = t["lr"]

    @torch.no_grad()
    def step(self):
        self.step_count += 1
        lr = self.lr
        b1, b2, eps = 0.9, 0.999, 1e-8
        c1 = 1 - b1 ** self.step_count
        c2 = 1 - b2 ** self.step_count
        for i, (_, p, l2, wd) in enumerate(self.entries):
            if p.grad is None:
                continue
            g = p.grad + 2 * l2 * p if l2 else p.grad
            shrink = 1 - lr * wd
            if self.kind == "sgd":
                if self.momentum == 0:
                    p.mul_(shrink).sub_(lr * g)
                    continue
                self.m[i].mul_(self.momentum).add_(g)
                p.mul_(shrink).sub_(lr * self.m[i])
                continue
            self.m[i].mul_(b1).add_((1 - b1) * g)
            self.v[i].mul_(b2).add_((1 - b2) * g * g)
            update = (self.m[i] / c1) / (torch.sqrt(self.v[i] / c2) + eps)
            p.mul_(shrink).sub_(lr * update)

    def state(self):
        return {"step": self.step_count, "m": [t.clone() for t in self.m], "v": [t.clone() for t in self.v]}

    def restore(self, state):
        self.step_count = state["step"]
        for live, saved in zip(self.m + self.v, state["m"] + state["v"]):
            live.copy_(saved)


def learning_rate(schedule, base, step, total, warmup=0, floor=0.01):
    if step < warmup:
        return base * (step + 1) / warmup
    if schedule == "constant":
        return base
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


# ---------------------------------------------------------------------------------------------
# the job
# ---------------------------------------------------------------------------------------------
def load_job(job_dir=HERE):
    job = json.load(open(os.path.join(job_dir, "job.json")))
    scope = {"__name__": "aekit_model"}
    path = os.path.join(job_dir, job["module"])
    exec(compile(open(path).read(), path, "exec"), scope)
    net = scope[job["class"]]()
    state = read_safetensors(os.path.join(job_dir, job["init"]))
    own = net.state_dict()
    for name, t in own.items():
        if name.endswith("num_batches_tracked") and name not in state:
            state[name] = t
    net.load_state_dict(state, strict=True)
    return job, net


def trainable_parameters(net, job):
    """The (name, tensor) pairs that learn, in the module's order: job.json's parameters (not a frozen encoder's)."""
    names = {p["name"] for p in job["parameters"]}
    return [(name, p) for name, p in net.named_parameters() if name in names]


def aekit_state(net):
    """The state dict in aekit's layout: float32 tensors, without BatchNorm's counters."""
    return {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}


def shard(rows_global, rank, world):
    """This rank's contiguous part of a global batch (sizes differ by at most one)."""
    return np.array_split(rows_global, world)[rank]


def gaussian_units(job):
    """The code units of a VAE's Gaussian layer, or None for a net without one."""
    for layers in job["stacks"].values():
        for layer in layers:
            if layer["type"] == "gaussian":
                return layer["gaussian"]["units"]
    return None


_ELBO_NOISE = {}


def elbo_noise(rows, units, seed=0):
    """The eps aekit's ELBO estimate draws for a batch of `rows` (src/models/autoencoder.ts: a new
    generator seeded 0 for every batch, normals row after row), as float32; computed once."""
    key = (rows, units, seed)
    if key not in _ELBO_NOISE:
        rng = Prng(seed)
        _ELBO_NOISE[key] = torch.tensor([rng.normal() for _ in range(rows * units)], dtype=torch.float32).reshape(rows, units)
    return _ELBO_NOISE[key]


def evaluate(objective, part, scale, rank, world, device, batch=1000, metrics=False):
    """The mean data loss over `part` (and, for an autoencoder, sse and bce), each rank summing its
    share: aekit's batches of `batch` rows, dealt round the ranks. A VAE's loss is its negative
    ELBO with aekit's draws of eps for each such batch (its metrics are of the mean code)."""
    net_kind = objective.job["kind"]
    units = gaussian_units(objective.job) if not metrics else None
    sums = torch.zeros(4, dtype=torch.float64)
    # a labelled net's counts: correct predictions, then per class the intersection and the union of predicted and true
    counts = None
    objective.net.eval()
    with torch.no_grad():
        for start in range(rank * batch, part.n, world * batch):
            ix = part.index[start : start + batch]
            x = torch.from_numpy(part.rows.take(ix, scale)).reshape(len(ix), *objective.job["input"]).to(device)
            labels = part.rows.take_labels(ix)
            y = None if labels is None else torch.from_numpy(labels).to(device)
            objective.elbo_noise = None if units is None else elbo_noise(batch, units)
            out = objective.scores(x, False, [], len(ix))
            objective.elbo_noise = None
            data, norm = objective.data_sum(out, x, y)
            if units is not None:
                data = data + objective.elbo_kl
            sums[0] += data.item()
            sums[3] += len(ix) if norm is None else norm
            if net_kind == "autoencoder" and metrics:
                pred = torch.sigmoid(out) if objective.job["output"]["activation"] == "sigmoid" else out
                sums[1] += ((pred - x) ** 2).sum().item()
                if objective.job["output"]["activation"] == "sigmoid":
                    sums[2] += F.binary_cross_entropy_with_logits(out, x, reduction="sum").item()
            elif metrics:
                counts = label_counts(out, y, counts)
    objective.net.train()
    sums = objective.collective.sum_value(sums)
    n = part.n
    loss = sums[0].item() / sums[3].item() if sums[3].item() > 0 else float("nan")
    if not metrics:
        return loss
    if net_kind != "autoencoder":
        classes = objective.job["classes"]
        counts = objective.collective.sum_value(counts if counts is not None else torch.zeros(2 + 2 * classes, dtype=torch.float64))
        return labelled_metrics(net_kind, loss, counts, classes)
    features = int(np.prod(objective.job["input"]))
    sse = sums[1].item() / n
    bce = sums[2].item() / n if objective.job["output"]["activation"] == "sigmoid" else None
    return {"sse": sse, "mse": sse / features, "bce": bce}


def label_counts(out, y, counts):
    """Adds a batch's labels, correct predictions and per-class intersections and unions to
    `counts` = [labels, correct, intersection per class..., union per class...]."""
    classes = out.shape[1]
    if counts is None:
        counts = torch.zeros(2 + 2 * classes, dtype=torch.float64)
    predicted = out.argmax(dim=1).reshape(-1).cpu()
    truth = y.long().reshape(-1).cpu()
    hit = predicted == truth
    both = torch.bincount(truth[hit], minlength=classes)
    counts[0] += truth.numel()
    counts[1] += hit.sum().item()
    counts[2 : 2 + classes] += both.double()
    # predicted c or true c, a hit counted once
    counts[2 + classes :] += (torch.bincount(predicted, minlength=classes) + torch.bincount(truth, minlength=classes) - both).double()
    return counts


def labelled_metrics(kind, loss, counts, classes):
    """A classifier's test accuracy and error, a segmenter's pixel accuracy and IoU per class (as aekit scores them)."""
    accuracy = counts[1].item() / counts[0].item() if counts[0].item() > 0 else 0.0
    if kind == "classifier":
        return {"loss": loss, "accuracy": accuracy, "error": 1 - accuracy}
    per_class = [counts[2 + c].item() / counts[2 + classes + c].item() if counts[2 + classes + c].item() > 0 else None for c in range(classes)]
    defined = [v for v in per_class if v is not None]
    return {"loss": loss, "pixelAccuracy": accuracy, "perClassIoU": per_class, "meanIoU": sum(defined) / len(defined) if defined else 0.0}


def save_checkpoint(path, state):
    tmp = f"{path}.tmp{os.getpid()}"
    torch.save(state, tmp)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train the aekit model of this job folder (under torchrun, or alone).")
    parser.add_argument("--epochs", type=int, help="passes over the training data (default: job.json's)")
    parser.add_argument("--limit", type=int, help="keep the first N training examples (before the validation split)")
    parser.add_argument("--out", default=os.path.join(HERE, "run"), help="the aekit run folder to write (default: run/ beside this script)")
    parser.add_argument("--checkpoints", default=os.path.join(HERE, "checkpoints"), help="where each epoch's state is saved and resumed from")
    parser.add_argument("--checkpoint-every", type=int, help="also save the state every N steps")
    parser.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint and start over")
    parser.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto", help="the process group's backend (auto: nccl on GPUs, else gloo)")
    parser.add_argument("--threads", type=int, help="torch threads per rank (default: cores / local ranks)")
    parser.add_argument("--max-steps", type=int, help="stop after N steps in all (for timing); no run folder is written")
    args = parser.parse_args(argv)

    # A launcher that sets up the process group itself (Ray Train's TorchTrainer) is followed;
    # else torchrun's environment says the ranks.
    external = dist.is_available() and dist.is_initialized()
    world = dist.get_world_size() if external else int(os.environ.get("WORLD_SIZE", "1"))
    rank = dist.get_rank() if external else int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))  # torchrun sets it; one process a pod or machine otherwise
    cuda = torch.cuda.is_available()
    backend = dist.get_backend() if external else args.backend if args.backend != "auto" else ("nccl" if cuda else "gloo")
    device = torch.device(f"cuda:{local_rank}" if backend == "nccl" else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    torch.set_num_threads(args.threads or max(1, (os.cpu_count() or 1) // local_world))
    torch.use_deterministic_algorithms(True, warn_only=True)
    if world > 1 and not external:
        dist.init_process_group(backend)

    job, net = load_job()
    t = job["training"]
    epochs = args.epochs or t["epochs"]
    if args.limit is not None and job["data"].get("scale") is not None:
        parser.error("--limit: this job's data scaling was computed on the export's training rows; export again with aekit export torchrun --limit N")
    if args.limit is not None and job["data"].get("prepared"):
        parser.error("--limit: this job trains on the rows aekit wrote at export (data/train.npy)")
    if args.limit is not None and job["data"].get("heldOut"):
        parser.error("--limit: this job's validation and test rows were binarised at export for its own split; export again with aekit export torchrun --limit N")
    train, validation, test = job_splits(job, args.limit)
    scale = job["data"].get("scale")
    net.to(device)
    objective = Objective(net, job, world, TorchDraws(device))
    model = nn.parallel.DistributedDataParallel(objective, broadcast_buffers=False) if world > 1 else objective
    params = trainable_parameters(net, job)
    optimizer = AekitOptimizer(params, job)
    batch = t["batchSize"]
    steps_per_epoch = math.ceil(train.n / batch)
    total_steps = steps_per_epoch * epochs
    os.makedirs(args.checkpoints, exist_ok=True)
    last = os.path.join(args.checkpoints, "last.pt")

    state = None
    if os.path.exists(last) and not args.fresh:
        state = torch.load(last, map_location="cpu")
        net.load_state_dict(state["net"], strict=True)
        optimizer.restore(state["optimizer"])
    rng = Prng.from_state(state["rng"]) if state else Prng(t["seed"])
    history = state["history"] if state else {"trainLoss": [], "valLoss": [], "best": math.inf, "bestMonitoredEpoch": 0, "bestEpoch": 0, "seconds": 0.0, "steps": 0}
    best_weights = state["bestWeights"] if state else None
    start_epoch = state["epoch"] if state else 1
    steps = history["steps"]
    if rank == 0 and state:
        print(json.dumps({"resumed": last, "epoch": start_epoch, "step": steps, "start": state.get("start", 0)}), flush=True)

    def snapshot(epoch, start, order, epoch_loss):
        return {
            "net": net.state_dict(), "optimizer": optimizer.state(), "rng": rng.state(), "epoch": epoch, "start": start,
            "order": order, "epochLoss": epoch_loss, "history": dict(history, steps=steps), "bestWeights": best_weights,
        }

    began = time.perf_counter()
    samples = 0
    stopped = False
    for epoch in range(start_epoch, epochs + 1):
        epoch_began = time.perf_counter()
        inside = state if state and state["epoch"] == epoch and state.get("order") is not None else None
        order = inside["order"] if inside else rng.permutation(train.n)
        # a resumed epoch's loss so far was summed over the ranks: rank 0 carries it
        epoch_loss = torch.tensor(inside["epochLoss"] if inside and rank == 0 else 0.0, dtype=torch.float64)
        start = inside["start"] if inside else 0
        state = None
        while start < train.n:
            rows = min(batch, train.n - start)
            mine = shard(train.index[order[start : start + rows]], rank, world)
            x = torch.from_numpy(train.rows.take(mine, scale)).reshape(len(mine), *job["input"]).to(device)
            labels = train.rows.take_labels(mine)
            y = None if labels is None else torch.from_numpy(labels).to(device)
            objective.draws.reseed(t["seed"], steps, rank)
            if t.get("binarize") == "dynamic":
                # each value v becomes 1 with probability v, afresh every batch (aekit's fit)
                x = (objective.draws.uniform(x.shape) < x).to(x.dtype)
            objective.epoch = steps / steps_per_epoch
            optimizer.lr = learning_rate(t["schedule"], t["lr"], steps, total_steps, t.get("warmupSteps", 0))
            for _, p in params:
                p.grad = None
            loss, data, norm = model(x, y, rows)
            loss.backward()
            optimizer.step()
            # the epoch's loss as aekit sums it: each batch's mean data loss times its rows
            epoch_loss += data.double().cpu() if norm is None else data.double().cpu() * rows / norm
            start += rows
            steps += 1
            samples += rows
            if args.checkpoint_every and steps % args.checkpoint_every == 0 and start < train.n:
                so_far = objective.collective.sum_value(epoch_loss).item()
                if rank == 0:
                    save_checkpoint(last, snapshot(epoch, start, order, so_far))
            if args.max_steps and steps >= args.max_steps:
                stopped = True
                break
        if stopped:
            break
        total_loss = objective.collective.sum_value(epoch_loss).item()
        train_loss = total_loss / train.n
        val_loss = evaluate(objective, validation, scale, rank, world, device) if validation.n > 0 else None
        history["trainLoss"].append(train_loss)
        if val_loss is not None:
            history["valLoss"].append(val_loss)
        monitored = val_loss if val_loss is not None else train_loss
        improved = monitored < history["best"]
        if improved:
            history["best"] = monitored
            history["bestMonitoredEpoch"] = epoch
            if val_loss is not None:
                best_weights = {k: v.detach().clone() for k, v in net.state_dict().items()}
        history["bestEpoch"] = history["bestMonitoredEpoch"] if val_loss is not None else epoch
        seconds = time.perf_counter() - epoch_began
        history["seconds"] += seconds
        patience = t.get("patience")
        stop = patience is not None and epoch - history["bestMonitoredEpoch"] >= patience
        if rank == 0:
            save_checkpoint(last, snapshot(epochs + 1 if stop else epoch + 1, 0, None, 0.0))
            print(json.dumps({"epoch": epoch, "epochs": epochs, "trainLoss": train_loss, "valLoss": val_loss, "seconds": round(seconds, 3),
                              "stepsPerSecond": round(steps_per_epoch / seconds, 2), "samplesPerSecond": round(train.n / seconds, 1)}), flush=True)
        if world > 1:
            dist.barrier()
        if stop:
            break
    elapsed = time.perf_counter() - began
    history["steps"] = steps
    if stopped:
        if rank == 0:
            print(json.dumps({"steps": steps, "seconds": elapsed, "stepsPerSecond": steps / elapsed, "samplesPerSecond": samples / elapsed, "world": world}), flush=True)
        if world > 1 and not external:
            dist.barrier()
            leave_without_teardown()
        return
    if best_weights is not None:
        net.load_state_dict(best_weights, strict=True)
    test_metrics = evaluate(objective, test, scale, rank, world, device, metrics=True)
    if rank == 0:
        write_run(args.out, job, net, history, test_metrics, train, validation, test, epochs, args.limit, world, backend, samples, elapsed)
    if world > 1:
        dist.barrier()
        if not external:
            leave_without_teardown()


def leave_without_teardown():
    """Ends this rank once its work is written and every rank has passed the last barrier, without
    running destructors. In torch 1.13, freeing DDP's reducer drops the last reference to the gloo
    process group, whose destructor joins a worker thread while holding the GIL that the worker
    needs to free a tensor: a rank could hang at exit, spinning, with the job's run already written."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def write_run(out, job, net, history, test_metrics, train, validation, test, epochs, limit, world, backend, samples, elapsed):
    """The aekit run folder: model.safetensors in aekit's layout, model.json (the record the export
    wrote, with this run's settings and test metrics; segment.json for a segmenter) and
    metrics.json with the loss curve."""
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "model.safetensors"), aekit_state(net), {"format": job["record"]["format"]})
    record = json.loads(json.dumps(job["record"]))
    kind = job["kind"]
    if kind == "segmenter":
        record["epochs"] = epochs
    else:
        record["training"]["epochs"] = epochs
    if limit is not None:
        record["training"]["limit"] = limit
        record["data"]["train"] = train.n
        record["data"]["validation"] = validation.n
        # aekit's fingerprint: the training split's rows in their split order, before scaling (float32 bytes)
        record["data"]["fingerprint"] = hashlib.sha256(train.rows.take(train.index, None).tobytes()).hexdigest()[:16]
    record["status"] = "done"
    record["versions"] = dict(record["versions"], backend=f"torch {torch.__version__} {backend} x{world}")
    test_out = test_metrics
    if kind == "autoencoder":
        record["metrics"] = {"test": test_metrics, "bestEpoch": history["bestEpoch"]}
    elif kind == "classifier":
        record["metrics"] = {"test": {"accuracy": test_metrics["accuracy"], "error": test_metrics["error"]}, "examples": test.n}
    else:
        # segment.json: aekit segment's result beside the model's spec
        record.update({k: v for k, v in test_metrics.items() if k != "loss"})
        record.update({"seconds": history["seconds"], "samplesPerSecond": samples / elapsed if elapsed > 0 else 0, "aborted": False, "out": out})
        record["backend"] = record["versions"]["backend"]
    metrics = {
        "trainLoss": history["trainLoss"], "valLoss": history["valLoss"], "bestEpoch": history["bestEpoch"], "test": test_out,
        "seconds": history["seconds"], "samplesPerSecond": samples / elapsed if elapsed > 0 else 0,
        "torchrun": {"world": world, "backend": backend, "torch": torch.__version__, "steps": history["steps"]},
    }
    atomic_write(os.path.join(out, "metrics.json"), json.dumps(metrics, indent=2) + "\n")
    atomic_write(os.path.join(out, job.get("recordFile", "model.json")), json.dumps(record, indent=2) + "\n")
    print(json.dumps({"run": out, "test": test_out, "bestEpoch": history["bestEpoch"]}), flush=True)


if __name__ == "__main__":
    main()
