#!/bin/sh
# Cross-builds the native addon for ARM64 (NEON: the 4-wide instantiation of the kernel
# templates) with Debian's cross compiler, to check that native/ stays portable:
#   apt-get install g++-aarch64-linux-gnu && sh scripts/cross-build-arm64.sh
# Writes build/arm64/aekit_native.node (an ARM64 shared object; it cannot run on this machine).
set -eu
cd "$(dirname "$0")/.."
CXX=${CXX:-aarch64-linux-gnu-g++}
command -v "$CXX" >/dev/null || { echo "cross-build-arm64: $CXX not found (apt-get install g++-aarch64-linux-gnu)" >&2; exit 2; }
out=build/arm64
mkdir -p "$out"
addon_api=$(node -p "require('node-addon-api').include_dir")
# The sources are binding.gyp's, so the list is kept in one place.
sources=$(node -p "JSON.parse(require('fs').readFileSync('binding.gyp', 'utf8')).targets[0].sources.join(' ')")
objects=""
for src in $sources; do
  obj="$out/$(basename "$src" .cc).o"
  "$CXX" -std=c++17 -O3 -fPIC -ffp-contract=fast -fno-math-errno -Wall -Wno-psabi -pthread \
    -I/usr/include/node -I"$addon_api" -DNAPI_VERSION=8 -DNAPI_DISABLE_CPP_EXCEPTIONS -c "$src" -o "$obj"
  objects="$objects $obj"
done
"$CXX" -shared -pthread -o "$out/aekit_native.node" $objects
echo "cross-build-arm64: built $out/aekit_native.node ($(aarch64-linux-gnu-objdump -d $out/gemm.o | grep -c fmla) fused multiply-adds in the GEMM)"
