#!/usr/bin/python3
"""Run notebooks through the real Jupyter kernel ("tuning-lab", tslab) with nbclient.

Usage: /usr/bin/python3 tools/run_notebooks.py [--out DIR] [--figures-dir DIR] [notebook ...]

This is the same protocol path as Jupyter itself (ZeroMQ, kernelspec, launcher),
unlike `npm start`, which runs tslab in-process. Use Debian's /usr/bin/python3:
it has nbclient; a pyenv python3 first on PATH usually does not.

Exit status: 0 all passed, 1 a cell failed (or a plot() call showed no plot),
2 setup problem (no Jupyter, kernel not registered, bad notebook).
Failures print the notebook, the cell number, its source and its stderr:
tslab reports errors only on stderr, not as Jupyter error messages.
"""
import argparse
import glob
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = "tuning-lab"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOT_CALL = re.compile(r"(?<![\w.])plot\(")

# Find the project's kernelspec (registered by `npm install`) and quiet pydevd.
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    p for p in [os.path.join(ROOT, ".jupyter", "share", "jupyter"), os.environ.get("JUPYTER_PATH")] if p)
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from jupyter_client.kernelspec import NoSuchKernel
except ImportError as e:
    sys.exit(f"{e}. Run with /usr/bin/python3 and install Debian's python3-nbclient "
             "(apt-get install --no-install-recommends python3-nbclient jupyter-client).")


def stderr_of(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr")


def missing_plot(cell):
    """A cell that calls plot() must show a plotly output."""
    if cell.cell_type != "code" or not PLOT_CALL.search(cell.source):
        return False
    return not any(PLOTLY_MIME in o.get("data", {}) for o in cell.outputs)


def report(path, nb, index, why):
    cell = nb.cells[index]
    print(f"FAIL {path}, cell {index + 1} of {len(nb.cells)}: {why}")
    print("--- cell source ---\n" + cell.source.rstrip())
    print("--- stderr ---\n" + (stderr_of(cell).rstrip() or "(none)"))


def run(path, timeout, figures_dir):
    """Execute one notebook cell by cell; returns (notebook, ok)."""
    nb = nbformat.read(path, as_version=4)
    if figures_dir:
        # The kernel inherits this process's environment when it starts.
        os.environ["TUNING_LAB_FIGURES_DIR"] = os.path.join(figures_dir, os.path.splitext(os.path.basename(path))[0])
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
                if cell.cell_type == "code" and cell.get("execution_count") is None:
                    # tslab's execute_reply carries no count; number cells as Jupyter would.
                    cell.execution_count = 1 + sum(1 for c in nb.cells[:index] if c.cell_type == "code")
            except CellExecutionError:
                report(path, nb, index, "the cell raised an error")
                return nb, False
            if missing_plot(cell):
                report(path, nb, index, "the cell calls plot() but shows no plot output")
                return nb, False
    return nb, True


def sign(paths):
    try:
        from nbformat.sign import NotebookNotary
        notary = NotebookNotary()
        for p in paths:
            notary.sign(nbformat.read(p, as_version=4))
    except Exception as e:  # trust is a convenience; never fail the run for it
        print(f"note: could not sign executed notebooks: {e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb in name order")
    ap.add_argument("--out", help="write executed notebooks (with outputs) to this folder")
    ap.add_argument("--figures-dir", help="saveFigure writes to DIR/<notebook name>/")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per cell (default 1800)")
    args = ap.parse_args()
    paths = args.notebooks or sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    if not paths:
        sys.exit("no notebooks to run")
    failed, written = 0, []
    for path in paths:
        started = time.time()
        try:
            nb, ok = run(path, args.timeout, args.figures_dir)
        except NoSuchKernel:
            sys.stderr.write(f'Kernel "{KERNEL}" is not registered: run `npm install` (its postinstall registers it).\n')
            return 2
        except (nbformat.reader.NotJSONError, ValueError, OSError) as e:
            sys.stderr.write(f"{path}: not a valid notebook: {e}\n")
            return 2
        print(f"{'ok  ' if ok else 'FAIL'} {path} ({time.time() - started:.1f} s)")
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            out = os.path.join(args.out, os.path.basename(path))
            nbformat.write(nb, out)
            written.append(out)
        if not ok:
            failed += 1
            break  # later notebooks may depend on this one's results
    if written:
        sign(written)
    print(f"{len(paths) if not failed else paths.index(path)} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
