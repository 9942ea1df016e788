# The project's Jupyter server settings (`npm run lab` points JUPYTER_CONFIG_DIR here; scripts/env.sh).
# They keep the committed notebooks what the main job made, whatever happens in a JupyterLab session
# (README, "Working in the notebooks"); the JupyterLab defaults are in ../lab-settings/overrides.json.
import os
import sys
import warnings

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(root, "scripts"))
from notebook_outputs import make_pre_save_hook  # noqa: E402

c = get_config()  # noqa: F821

# A save never stores the image JupyterLab's plotly extension captures when a figure is hovered.
# (This file is applied twice when JupyterLab starts, and jupyter_server warns on the second time.)
warnings.filterwarnings("ignore", message="Overriding existing pre_save_hook")
c.FileContentsManager.pre_save_hook = make_pre_save_hook(os.environ.get("FMNIST_FIGURES_DIR") or os.path.join(root, "figures"))
# JupyterLab defaults: autosave off, no news, no update check (overrides.json).
c.LabApp.app_settings_dir = os.path.join(root, ".jupyter", "lab-settings")
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
# custom/custom.css: static figures at their print size.
c.LabApp.custom_css = True
