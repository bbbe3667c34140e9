"""notebooks/explore.ipynb runs top to bottom on a fresh kernel, and is committed with outputs."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "explore.ipynb"


def test_notebook_executes_without_errors(tmp_path):
    copy = tmp_path / "explore.ipynb"
    shutil.copy(NOTEBOOK, copy)
    (tmp_path / "out").mkdir()
    nb = nbformat.read(copy, as_version=4)
    for cell in nb.cells:                      # start from nothing: no stale outputs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()   # raises on any error
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs) + "".join(
        o.get("data", {}).get("text/html", "") for o in outputs)
    assert "documents read: 2" in text
    assert "衢州市" in text and "乌什县" in text and "840000000" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3     # the charts
    assert (tmp_path / "out" / "graph.html").is_file()


def test_committed_notebook_has_its_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code)
    assert all(c.outputs for c in code), "run the notebook and commit it with its outputs"
