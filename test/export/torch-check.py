"""Loads aekit's model.safetensors into the module `aekit export pytorch` wrote, strict=True, and
compares its outputs (codes, and reconstructions or class probabilities) with aekit's; then saves the module's own state dict (int64 counters
included) for `aekit import safetensors`. Reads and writes safetensors by hand so that only torch
is needed. Usage: python3 torch-check.py MODULE.py WEIGHTS IO OUT_WEIGHTS [MODULE.py WEIGHTS IO
OUT_WEIGHTS ...]; prints one JSON line per check, {"error": ...} for a check that failed (one
interpreter for many checks: importing torch takes seconds)."""
import json
import struct
import sys
import traceback

import torch

DTYPES = {"F32": torch.float32, "I64": torch.int64}


def load(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        data = bytearray(raw[8 + n + begin : 8 + n + end])
        out[name] = torch.frombuffer(data, dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return out


def save(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": "I64" if t.dtype == torch.int64 else "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def check(module_path, weights, io_path, out_weights):
    scope = {}
    exec(compile(open(module_path).read(), module_path, "exec"), scope)
    # An autoencoder's module, or a classifier's or segmenter's (whose "reconstruction" in IO is its class probabilities).
    kind = next(k for k in ("Classifier", "Segmenter", "Autoencoder") if k in scope)
    classifier = kind != "Autoencoder"
    model = scope[kind]()
    model.load_state_dict(load(weights), strict=True)
    model.eval()
    io = load(io_path)
    with torch.no_grad():
        # An autoencoder's encode applies the run's input scaling, when it has one; a classifier's codes are its encoder's.
        code = model.encode(io["x"]) if hasattr(model, "encode") else model.encoder(io["x"])
        full = model.probabilities(io["x"]) if classifier else model(io["x"])
        result = {"code": (code - io["code"]).abs().max().item(), "full": (full - io["reconstruction"]).abs().max().item()}
        if "nelbo" in io:
            # A VAE: its loss in eval mode (the mean code) against aekit's reconstruction loss of the mean plus the KL.
            result["nelbo"] = abs(model.negative_elbo(io["x"]).item() - io["nelbo"].item())
        # A state dict of torch's own: every float tensor moved, counters kept as torch saves them.
        torch.manual_seed(0)
        state = {k: (v + 0.01 * torch.randn_like(v) if v.is_floating_point() else v) for k, v in model.state_dict().items()}
        model.load_state_dict(state, strict=True)
        save(out_weights, state)
        save(out_weights + ".io", {"x": io["x"], "reconstruction": model(io["x"])})
    return result


args = sys.argv[1:]
if not args or len(args) % 4 != 0:
    sys.exit("usage: torch-check.py MODULE.py WEIGHTS IO OUT_WEIGHTS [...]")
for at in range(0, len(args), 4):
    try:
        print(json.dumps(check(*args[at : at + 4])), flush=True)
    except Exception:
        print(json.dumps({"error": traceback.format_exc()}), flush=True)
