#!/usr/bin/env bash
# Creates .venv-bench/, a Python environment with TensorFlow (the same pinned tensorflow-cpu
# wheel the native backend's libraries come from), so `fmnist bench` can time Keras on the same
# models, batch and threads. Optional and not part of the bootstrap: it downloads ~600 MB
# (TensorFlow, Keras, NumPy and their dependencies) and takes ~1.5 GB of disk.
#   usage: bash scripts/bench-venv.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FMNIST_ROOT"
venv="$FMNIST_ROOT/.venv-bench"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import tensorflow' >/dev/null 2>&1; then
  echo "[bench-venv] $venv already has TensorFlow $("$venv/bin/python" -c 'import tensorflow as tf; print(tf.__version__)' 2>/dev/null)"
  exit 0
fi
py=${PYTHON:-python3}
echo "[bench-venv] creating $venv with tensorflow-cpu==2.21.0"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet --no-cache-dir 'tensorflow-cpu==2.21.0'
echo "[bench-venv] done: $("$venv/bin/python" -c 'import tensorflow as tf; print("TensorFlow", tf.__version__)' 2>/dev/null)"
