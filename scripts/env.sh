# Sourced by the project's shell scripts: one place that says where the project-local tooling lives.
# Nothing outside the repository is touched: Jupyter's paths all point inside it.
FMNIST_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FMNIST_ROOT
export FMNIST_VENV="$FMNIST_ROOT/.venv"
export JUPYTER_CONFIG_DIR="$FMNIST_ROOT/.jupyter/config"
export JUPYTER_DATA_DIR="$FMNIST_ROOT/.jupyter/data"
export JUPYTER_RUNTIME_DIR="$FMNIST_ROOT/.jupyter/runtime"
# Quarto finds kernels through `python -m jupyter --paths`, which honours JUPYTER_PATH. The project's
# folder comes first; folders the caller already listed stay searched after it (sourcing twice adds nothing).
case ":${JUPYTER_PATH:-}:" in
  ":$JUPYTER_DATA_DIR:"*) ;;
  *) export JUPYTER_PATH="$JUPYTER_DATA_DIR${JUPYTER_PATH:+:$JUPYTER_PATH}" ;;
esac
export QUARTO_PYTHON="$FMNIST_VENV/bin/python"
export PATH="$FMNIST_VENV/bin:$FMNIST_ROOT/node_modules/.bin:$PATH"
