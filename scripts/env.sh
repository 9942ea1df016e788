# Sourced by the project's shell scripts: one place that says where the project-local tooling lives.
# Nothing outside the repository is touched: Jupyter's paths all point inside it.
FMNIST_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FMNIST_ROOT
export FMNIST_VENV="$FMNIST_ROOT/.venv"
export JUPYTER_CONFIG_DIR="$FMNIST_ROOT/.jupyter/config"
export JUPYTER_DATA_DIR="$FMNIST_ROOT/.jupyter/data"
export JUPYTER_RUNTIME_DIR="$FMNIST_ROOT/.jupyter/runtime"
# Quarto finds kernels through `python -m jupyter --paths`, which honours JUPYTER_PATH.
export JUPYTER_PATH="$JUPYTER_DATA_DIR"
export QUARTO_PYTHON="$FMNIST_VENV/bin/python"
export PATH="$FMNIST_VENV/bin:$FMNIST_ROOT/node_modules/.bin:$PATH"
