#!/usr/bin/env bash
# Opens JupyterLab on notebooks/ with the project's tslab kernel (`npm run lab`; extra arguments pass through).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FMNIST_ROOT"
args=()
# Jupyter refuses to start as root without this flag (containers, CI machines).
[ "$(id -u)" -eq 0 ] && args+=(--allow-root)
echo "[lab] kernel: 'TypeScript (tslab)'. The notebooks import dist/: run \`npm run watch\` in another terminal while you edit src/."
exec "$FMNIST_VENV/bin/jupyter" lab "${args[@]}" --ServerApp.root_dir="$FMNIST_ROOT/notebooks" "$@"
