"""Keeps a notebook saved from JupyterLab from carrying images the browser made.

JupyterLab's plotly extension (jupyterlab-plotly) replaces a figure's `image/png` with a capture of the
chart as drawn in the browser (window-sized, e.g. 1008x360) the first time the figure is hovered, and
marks the notebook changed. Saved, that capture would replace the static image the kernel rendered at
print size, and from the notebook reach the PDF. This module is the Jupyter server's pre-save hook
(.jupyter/config/jupyter_server_config.py): before any save, manual or automatic, each figure output
gets back the PNG its kernel made.

- Outputs made by showFigure carry `metadata.fmnist.png_sha256`, the SHA-256 of the kernel's PNG. An
  output whose PNG no longer matches it gets the PNG with that digest from the notebook on disk or from
  the figures folder (`<figure id>.png`); if neither has it, the browser's image is dropped rather than
  saved.
- Outputs saved before that marker existed get the PNG of the output on disk whose plotly figure is
  identical, when there is one.
"""
import base64
import copy
import hashlib
import json
import os

PLOTLY = "application/vnd.plotly.v1+json"
PNG = "image/png"


def _sha256(b64):
    return hashlib.sha256(base64.b64decode(b64)).hexdigest()


def _as_text(value):
    return "".join(value) if isinstance(value, list) else value


def _outputs(nb):
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            if isinstance(out, dict) and isinstance(out.get("data"), dict):
                yield out


def _figure_id(out):
    text = _as_text(out["data"].get("text/plain", "")) or ""
    return text.split(":", 1)[0].strip()


def _png_in_figures(figures_dir, figure_id, digest):
    if not figures_dir or not figure_id or not os.path.isdir(figures_dir):
        return None
    for folder, _dirs, files in os.walk(figures_dir):
        if figure_id + ".png" in files:
            with open(os.path.join(folder, figure_id + ".png"), "rb") as handle:
                raw = handle.read()
            if hashlib.sha256(raw).hexdigest() == digest:
                return base64.b64encode(raw).decode("ascii")
    return None


def restore_kernel_images(nb, on_disk=None, figures_dir=None, log=None):
    """Puts back the kernel's PNG in every figure output of `nb` (a notebook as a dict, changed in
    place) whose image the browser replaced. `on_disk` is the notebook as last saved, if any.
    Returns the number of outputs changed."""
    by_digest = {}
    by_figure = {}
    for out in _outputs(on_disk or {}):
        png = _as_text(out["data"].get(PNG))
        if not isinstance(png, str):
            continue
        by_digest.setdefault(_sha256(png), (png, out.get("metadata", {}).get(PNG)))
        if PLOTLY in out["data"]:
            key = json.dumps(out["data"][PLOTLY], sort_keys=True)
            by_figure.setdefault(key, (png, out.get("metadata", {}).get(PNG)))
    changed = 0
    for out in _outputs(nb):
        data = out["data"]
        if PLOTLY not in data or PNG not in data:
            continue
        png = _as_text(data[PNG])
        marker = (out.get("metadata") or {}).get("fmnist") or {}
        digest = marker.get("png_sha256") if isinstance(marker, dict) else None
        if digest:
            if _sha256(png) == digest:
                continue
            found = by_digest.get(digest, (None, None))[0] or _png_in_figures(figures_dir, _figure_id(out), digest)
            if found:
                data[PNG] = found
            else:
                # Better no static image (the next execution makes one) than the browser's capture.
                del data[PNG]
                out.get("metadata", {}).pop(PNG, None)
                if log:
                    log("dropped the browser's image of figure %s: the kernel's PNG is neither on disk nor in the figures folder" % _figure_id(out))
            changed += 1
            continue
        previous = by_figure.get(json.dumps(data[PLOTLY], sort_keys=True))
        if previous and previous[0] != png:
            data[PNG] = previous[0]
            if previous[1] is not None:
                out.setdefault("metadata", {})[PNG] = copy.deepcopy(previous[1])
            changed += 1
    return changed


def make_pre_save_hook(figures_dir):
    """The FileContentsManager.pre_save_hook: normalises notebook saves as described above."""

    def pre_save_hook(model, path, contents_manager, **kwargs):
        if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
            return
        on_disk = None
        try:
            os_path = contents_manager._get_os_path(path)
            if os.path.isfile(os_path):
                with open(os_path, encoding="utf-8") as handle:
                    on_disk = json.load(handle)
        except Exception:  # unreadable or not JSON: nothing to restore from
            on_disk = None
        n = restore_kernel_images(model["content"], on_disk, figures_dir, contents_manager.log.warning)
        if n:
            contents_manager.log.info("%s: kept the kernel's static image in %d figure output(s) (the browser had replaced it)", path, n)

    return pre_save_hook
