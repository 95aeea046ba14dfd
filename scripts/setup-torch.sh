#!/usr/bin/env bash
# Installs what the torchrun job tests run: Debian's python3-torch (PyTorch 1.13 with NumPy and the
# torchrun launcher; CPU only, gloo) and python3-yaml (the README's Kubernetes manifest is parsed).
# Needs root (CI runs as root) or sudo; does nothing when both already import.
set -euo pipefail
if /usr/bin/python3 -c 'import torch, numpy, yaml' 2>/dev/null && command -v torchrun >/dev/null; then
  exit 0
fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-torch python3-yaml
