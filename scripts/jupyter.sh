#!/usr/bin/env bash
# Runs the project's Jupyter (from .venv) with the project-local kernel directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec "$FMNIST_VENV/bin/jupyter" "$@"
