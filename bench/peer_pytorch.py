"""PyTorch CPU peer for the aekit training benchmark (DESIGN.md section 5).

--model dense (the default) trains the 784-1000-500-250-30-250-500-1000-784
autoencoder (sigmoid after every hidden layer, linear 30-d code, sigmoid output)
on squared error = mean over the batch of the per-example sum of squares.
--model conv trains the convolutional autoencoder of bench/train-bench.ts: conv 32
3x3 stride 2 padding 1, relu; conv 64 the same, relu; flatten; linear 32; linear
3136, relu; unflatten to 64x7x7; transposed conv 32 (3x3, stride 2, padding 1,
output padding 1), relu; transposed conv 1, same geometry; binary cross-entropy
with logits summed per example, averaged over the batch.
Both with Adam (lr 1e-3). Data is a fixed pool of 8192 random rows in [0, 1],
cycled through in batches. After --warmup steps, each of --reps repetitions times
--steps steps; prints one JSON line whose samplesPerSecond is the median over the
repetitions.

Run with Debian's interpreter, e.g.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/peer_pytorch.py --threads 2
"""
import argparse
import json
import statistics
import sys
import time

try:
    import torch
    from torch import nn
except ImportError as e:
    sys.exit(f"peer_pytorch: PyTorch is not installed ({e}); "
             "run `apt-get install python3-torch` and use /usr/bin/python3")

POOL_ROWS = 8192
SIZES = [784, 1000, 500, 250, 30, 250, 500, 1000, 784]


def build_conv_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(3136, 32),
        nn.Linear(32, 3136), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 3, stride=2, padding=1, output_padding=1),
    )


def build_model():
    layers = []
    for n_in, n_out in zip(SIZES, SIZES[1:]):
        layers.append(nn.Linear(n_in, n_out))
        if n_out != 30:  # sigmoid everywhere except the linear 30-d code
            layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", choices=["dense", "conv"], default="dense")
    a = p.parse_args()
    if not 1 <= a.batch <= POOL_ROWS or a.threads < 1 or a.steps < 1 or a.reps < 1:
        p.error(f"need 1 <= batch <= {POOL_ROWS}, threads, steps, reps >= 1")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    conv = a.model == "conv"
    pool = torch.rand(POOL_ROWS, 1, 28, 28) if conv else torch.rand(POOL_ROWS, SIZES[0])
    n_batches = POOL_ROWS // a.batch
    model = build_conv_model() if conv else build_model()
    bce = nn.BCEWithLogitsLoss(reduction="sum")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    step_no = 0

    def step():
        nonlocal step_no
        i = step_no % n_batches
        step_no += 1
        x = pool[i * a.batch:(i + 1) * a.batch]
        opt.zero_grad()
        if conv:
            loss = bce(model(x), x) / x.shape[0]
        else:
            loss = ((model(x) - x) ** 2).sum() / x.shape[0]
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    reps = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        reps.append(a.steps * a.batch / (time.perf_counter() - t0))

    print(json.dumps({
        "name": "pytorch",
        "model": a.model,
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "samplesPerSecond": round(statistics.median(reps), 1),
        "stepsTimed": a.steps,
        "reps": [round(r, 1) for r in reps],
    }))


if __name__ == "__main__":
    main()
