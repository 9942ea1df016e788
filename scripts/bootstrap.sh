#!/usr/bin/env bash
# Brings a fresh clone to a working state; every step is skipped when already done.
#   bootstrap.sh test   npm packages, build, Jupyter venv, native backend, tslab kernel, dataset
#   bootstrap.sh main   the same (the main job then executes notebooks and renders)
#   bootstrap.sh lab    the same, for JupyterLab
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FMNIST_ROOT"
mode="${1:-test}"

step() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[bootstrap] error:\033[0m %s\n' "$*" >&2; exit 1; }

# 1. Node.js
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die "Node.js is not installed. Install Node.js 20 or newer (https://nodejs.org) and rerun."
[ "$node_major" -ge 20 ] || die "Node.js $node_major found; this project needs Node.js 20 or newer."

# 2. npm packages, reinstalled only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages (npm ci)"
  # @tensorflow/tfjs-node is optional: without internet access its libtensorflow download fails
  # and npm drops it; step 5 then builds it from TensorFlow's PyPI wheel (or the project uses wasm).
  npm ci --no-audit --no-fund
fi

# 3. Compile src/ to dist/ (what notebooks and the CLI load).
node scripts/ensure-built.js

# 4. Python Jupyter tooling in .venv, reinstalled only when requirements-jupyter.txt changed.
req_hash=$(sha256sum requirements-jupyter.txt | cut -d' ' -f1)
if [ ! -x "$FMNIST_VENV/bin/python" ] || [ "$(cat "$FMNIST_VENV/.requirements.sha256" 2>/dev/null)" != "$req_hash" ]; then
  py=${PYTHON:-python3}
  command -v "$py" >/dev/null || die "python3 not found. Install Python 3.9+ (Debian: apt-get install python3 python3-venv) and rerun."
  step "creating the Jupyter virtual environment in .venv"
  "$py" -m venv "$FMNIST_VENV" || die "could not create .venv. On Debian/Ubuntu: apt-get install python3-venv"
  "$FMNIST_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$FMNIST_VENV/bin/python" -m pip install --quiet -r requirements-jupyter.txt
  echo "$req_hash" > "$FMNIST_VENV/.requirements.sha256"
fi

# 5. The native TensorFlow backend (tfjs-node): built from TensorFlow's PyPI wheel when its own
#    install could not download libtensorflow. Never fails: without it the project runs on wasm.
bash scripts/native-backend.sh

# 5b. The small addon that holds back TensorFlow's start-up notices (native/stderr-capture.c:
#     dup/dup2 of stderr while libtensorflow loads). Optional: without a C compiler the project
#     falls back to reopening stderr through /proc, which covers terminals, files and pipes.
if [ ! -f build/stderr-capture.node ] || [ native/stderr-capture.c -nt build/stderr-capture.node ]; then
  node_prefix=$(node -p "require('path').resolve(process.execPath, '..', '..')")
  if command -v cc >/dev/null && [ -f "$node_prefix/include/node/node_api.h" ]; then
    mkdir -p build
    cc -O2 -shared -fPIC -I"$node_prefix/include/node" native/stderr-capture.c -o build/stderr-capture.node.tmp \
      && mv build/stderr-capture.node.tmp build/stderr-capture.node \
      || step "could not compile native/stderr-capture.c; TensorFlow's start-up notice may show in some outputs"
  fi
fi

# 6. The tslab kernel, registered inside the project only (JUPYTER_DATA_DIR=.jupyter/data).
node scripts/write-kernelspec.js

# 7. The dataset: found (FASHION_MNIST_DIR, data/, Debian's dataset-fashion-mnist) or downloaded, then verified.
node bin/fmnist.js data --ensure
