"""The parity harness of the torchrun job: runs the job's own objective (train.py of JOBDIR) on a
batch with the random draws aekit made, backpropagates, takes one optimizer step, and writes the
objective, the gradients and the stepped state for the node:test file to compare with aekit's.
Usage: python3 parity.py JOBDIR IO OUT [JOBDIR IO OUT ...]; prints a JSON list; IO holds x (and y), lr, aekit's gradients (grad.NAME), and draw0, draw1, ... (the
uniform or normal numbers aekit's noise, dropout and Gaussian code layers drew, in the order they drew them), and
epoch (epochs done, for a VAE's KL warm-up) when the case sets it."""
import importlib.util
import json
import os
import sys

import torch


class Replay:
    """aekit's draws, handed out in order; each must fit the shape asked for."""

    def __init__(self, draws):
        self.draws = draws

    def take(self, shape):
        d = self.draws.pop(0)
        assert d.numel() == torch.Size(shape).numel(), f"draw of {d.numel()} values for shape {list(shape)}"
        return d.reshape(shape)

    uniform = take
    normal = take


def check(job_dir, io_path, out_path):
    spec = importlib.util.spec_from_file_location("job_train", os.path.join(job_dir, "train.py"))
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    job, net = train.load_job(job_dir)
    io = train.read_safetensors(io_path)
    draws = [io[f"draw{i}"].double() for i in range(sum(1 for k in io if k.startswith("draw")))]
    objective = train.Objective(net, job, world=1, draws=Replay(draws))
    if "epoch" in io:
        objective.epoch = float(io["epoch"].item())
    x = io["x"]
    y = io.get("y")
    rows = x.shape[0]
    net.train()
    loss, data, norm = objective(x, y, rows)
    loss.backward()
    result = {"objective": loss.item(), "data": data.item() / (rows if norm is None else norm), "unusedDraws": len(objective.draws.draws)}
    out = {f"grad.{name}": p.grad for name, p in net.named_parameters()}
    # The step starts from aekit's gradients, so that it tests the optimizer alone: Adam's first
    # step is about lr·sign(g), which float rounding flips where g is next to 0.
    for name, p in net.named_parameters():
        p.grad = io[f"grad.{name}"].clone()
    optimizer = train.AekitOptimizer(list(net.named_parameters()), job)
    optimizer.lr = float(io["lr"].item())
    optimizer.step()
    out.update({f"after.{name}": t for name, t in train.aekit_state(net).items()})
    train.write_safetensors(out_path, out)
    return result


torch.set_num_threads(1)
args = sys.argv[1:]
print(json.dumps([check(*args[i : i + 3]) for i in range(0, len(args), 3)]))
