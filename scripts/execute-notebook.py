"""Executes one notebook with Jupyter's own client (nbclient); driven by src/pipeline/execute.ts.

    python scripts/execute-notebook.py INPUT OUTPUT --cwd DIR [--kernel tslab] [--timeout SECONDS]
        [--startup-timeout SECONDS] [--startup-attempts N]

Progress and failures are reported on stdout as JSON lines (one event per line), so the
TypeScript side can format them and build an error that names the notebook, the cell and
the error text. The executed notebook is written to a temporary file beside OUTPUT and
renamed over it only after every cell succeeded: an interrupted or failed execution never
leaves a half-executed notebook in place.
"""
import argparse
import atexit
import json
import os
import sys
import time
import warnings

import nbformat
import nbformat.sign
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


class KernelStartupError(RuntimeError):
    pass


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def cell_label(cell):
    # Quarto options live in the cell metadata (TypeScript has no '#|' comment syntax).
    label = cell.get("metadata", {}).get("label")
    return label if isinstance(label, str) else None


def error_outputs(cell):
    """What the kernel said about the failure: tslab writes the exception to stderr;
    other kernels send an 'error' output. Both are returned, stderr last."""
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            texts.append("{}: {}".format(out.get("ename", ""), out.get("evalue", "")).strip(": "))
            texts.extend(out.get("traceback", []))
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            texts.append(out.get("text", ""))
    return "\n".join(t for t in texts if t)


def merge_adjacent_streams(nb):
    """Joins consecutive stream outputs of the same stream (stdout or stderr) into one, as JupyterLab
    does when it saves: how the kernel happened to batch its writes then never changes the file, so
    re-executing a notebook gives the same bytes."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if (out.get("output_type") == "stream" and prev is not None
                    and prev.get("output_type") == "stream" and prev.get("name") == out.get("name")):
                prev["text"] = prev["text"] + out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged


class StreamingClient(NotebookClient):
    """Passes the kernel's stdout on as it arrives, so a training cell that runs for minutes
    shows its per-epoch lines in the main job's log instead of going silent; and starts the
    kernel again when it does not answer in time."""

    startup_attempts = 1

    async def async_start_new_kernel_client(self):
        # A kernel that is alive but never answers kernel_info is a known failure when several
        # kernels start at once (port races, jupyter_client#487); a fresh kernel with new ports
        # fixes it, and nothing has run yet, so a retry is safe. Each attempt waits twice as long as
        # the one before, so a kernel that is merely slow on a loaded machine also gets its chance.
        first_timeout = self.startup_timeout
        for attempt in range(1, self.startup_attempts + 1):
            self.startup_timeout = first_timeout * 2 ** (attempt - 1)
            try:
                kc = await super().async_start_new_kernel_client()
            except RuntimeError as exc:
                if attempt == self.startup_attempts:
                    atexit.unregister(self._cleanup_kernel)  # the parent already cleaned up
                    raise KernelStartupError("{} (attempt {}/{})".format(exc, attempt, self.startup_attempts)) from exc
                emit("kernel_retry", attempt=attempt, attempts=self.startup_attempts, error=str(exc))
                # The parent has shut the silent kernel down and dropped its manager.
                self.km = self.create_kernel_manager()
                await self.async_start_new_kernel()
                continue
            return kc

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") == "stream" and msg.get("content", {}).get("name") == "stdout":
            for line in msg["content"].get("text", "").splitlines():
                if line.strip():
                    emit("output", index=cell_index, text=line)
        return super().output(outs, msg, display_id, cell_index)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--cwd", required=True, help="kernel working directory")
    parser.add_argument("--kernel", default="tslab")
    parser.add_argument("--timeout", type=float, default=0, help="per-cell timeout in seconds; 0 = none")
    parser.add_argument("--startup-timeout", type=float, default=60,
                        help="seconds a starting kernel has to answer before it is started again (doubled per attempt)")
    parser.add_argument("--startup-attempts", type=int, default=3)
    args = parser.parse_args()

    # Notebooks written by hand may lack cell ids; that is not worth a warning on every run.
    warnings.filterwarnings("ignore", category=nbformat.validator.MissingIDFieldWarning)
    nb = nbformat.read(args.input, as_version=4)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    started = {}
    current = {"index": None}

    def on_cell_start(cell, cell_index):
        if cell.cell_type != "code" or not cell.source.strip():
            return
        current["index"] = cell_index
        started[cell_index] = time.monotonic()
        emit("cell_start", index=cell_index, label=cell_label(cell),
             code_cell=code_cells.index(cell_index) + 1, code_cells=len(code_cells))

    def on_cell_executed(cell, cell_index, execute_reply):
        status = execute_reply.get("content", {}).get("status")
        if status == "ok":
            emit("cell_done", index=cell_index, label=cell_label(cell),
                 seconds=round(time.monotonic() - started.get(cell_index, time.monotonic()), 3))

    client = StreamingClient(
        nb,
        kernel_name=args.kernel,
        timeout=None if args.timeout <= 0 else args.timeout,
        startup_timeout=args.startup_timeout,
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": args.cwd}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    client.startup_attempts = max(1, args.startup_attempts)
    t0 = time.monotonic()
    try:
        client.execute()
    except CellExecutionError:
        index = current["index"]
        cell = nb.cells[index]
        emit("cell_error", index=index, label=cell_label(cell), error=error_outputs(cell))
        return 2
    except KernelStartupError as exc:
        emit("cell_error", index=None, label=None,
             error="KernelStartupError: the {} kernel did not start: {}".format(args.kernel, exc))
        return 2
    except (CellTimeoutError, DeadKernelError) as exc:
        index = current["index"]
        label = cell_label(nb.cells[index]) if index is not None else None
        emit("cell_error", index=index, label=label, error="{}: {}".format(type(exc).__name__, exc))
        return 2

    merge_adjacent_streams(nb)
    # Signed in the project's Jupyter data folder, so JupyterLab opens what the main job wrote as trusted.
    try:
        nbformat.sign.NotebookNotary().sign(nb)
    except Exception as exc:  # a read-only data folder costs only the trust
        emit("warning", text="could not sign {}: {}".format(args.output, exc))
    out_dir = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(out_dir, exist_ok=True)
    # Hidden name ending in .tmp: ignored by git, never mistaken for a notebook.
    tmp = os.path.join(out_dir, ".{}.{}.tmp".format(os.path.basename(args.output), os.getpid()))
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            nbformat.write(nb, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, args.output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    emit("notebook_done", seconds=round(time.monotonic() - t0, 3), code_cells=len(code_cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
