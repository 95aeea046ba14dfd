#!/usr/bin/env bash
# Installs Debian's WebAssembly toolchain, which `npm run build:wasm` (scripts/build-wasm.mjs) and
# test/backend/wasm/wasm-build.test.ts use to rebuild native/wasm/aekit.wasm: clang, lld (wasm-ld),
# wasi-libc, libc++ and compiler-rt for wasm32. Needs root (CI runs as root) or sudo; does nothing
# when they are already there.
set -euo pipefail
if command -v clang++ >/dev/null && command -v wasm-ld >/dev/null && [ -f /usr/lib/wasm32-wasi/libc++.a ] \
  && ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1; then
  exit 0
fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq clang lld wasi-libc libc++-dev-wasm32 libclang-rt-dev-wasm32
