#!/usr/bin/env bash
# Opens JupyterLab on notebooks/ with the project's tslab kernel (`npm run lab`; extra arguments pass through).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FMNIST_ROOT"
args=()
# Jupyter refuses to start as root without this flag (containers, CI machines).
[ "$(id -u)" -eq 0 ] && args+=(--allow-root)
# The notebooks as committed are the project's own: trusted, so JupyterLab does not call them untrusted
# on every open. A notebook that differs from the last commit is left as Jupyter finds it.
if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
  trusted=()
  for nb in notebooks/[0-9]*.ipynb; do
    git diff --quiet HEAD -- "$nb" 2>/dev/null && trusted+=("$nb")
  done
  [ ${#trusted[@]} -eq 0 ] || "$FMNIST_VENV/bin/jupyter" trust "${trusted[@]}" >/dev/null 2>&1 || true
fi
echo "[lab] kernel: 'TypeScript (tslab)'. Autosave is off: nothing is written to notebooks/ unless you save (README, \"Working in the notebooks\")."
echo "[lab] the notebooks import dist/: keep \`npm run watch\` running while you edit src/, then Kernel › Restart Kernel."
exec "$FMNIST_VENV/bin/jupyter" lab "${args[@]}" --ServerApp.root_dir="$FMNIST_ROOT/notebooks" "$@"
