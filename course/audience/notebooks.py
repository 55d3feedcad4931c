"""The students' notebooks: their prose says that they run the student's own code.

The committed notebooks (docs/notebooks) are written for the instructors' repository, where
``course.impl.load`` finds the reference. A student runs them in the release, where it finds
``exercises/``. :data:`STUDENTS_WORDING` rewrites the sentences that say what runs; the site's
hook applies it to the students' pages and downloads, and the student release to its copies.
"""

from __future__ import annotations

import json

#: The instructors' wording -> the students' wording. Each instructors' sentence must be in
#: one notebook or another (or already rewritten): a sentence that changed stops the build.
STUDENTS_WORDING: dict[str, str] = {
    "One step of the reference `LSTMCell` (from `solutions/cell.py`, loaded with `course.impl.load`;\n"
    "in the student release, your own `exercises/cell.py`),\n":
    "One step of your own `LSTMCell` (from `exercises/cell.py`, loaded with `course.impl.load`;\n"
    "the outputs on the course site were made with the course's reference),\n",
    "The reference `LSTM` layer (`solutions/layer.py`, loaded with `course.impl.load`; in the\n"
    "student release, your own `exercises/layer.py`) unrolls the\n":
    "Your own `LSTM` layer (`exercises/layer.py`, loaded with `course.impl.load`; the outputs on\n"
    "the course site were made with the course's reference) unrolls the\n",
    "This notebook runs the reference solution's data code (imported from `solutions/data.py` through\n"
    "`course.impl.load`, not copied; in the student release it runs your own `exercises/data.py`)\n":
    "This notebook runs your own data code (imported from `exercises/data.py` through\n"
    "`course.impl.load`, not copied; the outputs on the course site were made with the course's reference)\n",
    "# TensorFlow. It names the reference here, your own exercises/ in the student release; a\n":
    "# TensorFlow. Your own exercises/ run here (the site's outputs came from the reference); a\n",
    "# The reference here; your own exercises/ in the student release. A function you\n":
    "# Your own exercises/ (the outputs on the course site came from the reference). A function you\n",
}


def students_notebook(text: str) -> tuple[str, set[str]]:
    """A notebook with the students' wording.

    Args:
        text: str, the ``.ipynb`` file's JSON.

    Returns:
        The notebook's JSON (as nbformat writes it) and the instructors' sentences it
        held; the text unchanged when it held none.
    """
    notebook = json.loads(text)
    found: set[str] = set()
    for cell in notebook.get("cells", []):
        source = "".join(cell.get("source", []))
        for old, new in STUDENTS_WORDING.items():
            if old in source:
                found.add(old)
                source = source.replace(old, new)
        cell["source"] = source.splitlines(keepends=True)
    if not found:
        return text, found
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", found


def check_wording(found: set[str], texts: list[str]) -> None:
    """Stop when an instructors' sentence of :data:`STUDENTS_WORDING` is in no notebook.

    Args:
        found: set of str, the instructors' sentences that were rewritten.
        texts: list of str, the notebooks after the rewrite (a sentence already in the
            students' wording counts as found).

    Raises:
        ValueError: naming the sentence, which then reads the same in both views.
    """
    joined = "\n".join("".join(cell.get("source", [])) for text in texts
                       for cell in json.loads(text).get("cells", []))
    for old, new in STUDENTS_WORDING.items():
        if old not in found and new not in joined:
            raise ValueError(f"no notebook says {old.strip()!r} any more: update course/audience/notebooks.py")
