"""The published site gives no answer away.

The site is built by the Pages workflow's own build step (tests/site/conftest.py), and no
page, search entry or downloadable notebook of it may hold an *answer line*: a line that the
exercises leave for the student to write (``course/audience/answers.py``, the scan the
student release runs too). test_site_instructors.py shows the same scan finding every answer
on the instructors' build.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from course.audience.answers import TEXT_SUFFIXES, answer_lines, find_answer_lines
from course.audience.students import skeleton
from course.impl import REPO_ROOT

ANSWERS = answer_lines(REPO_ROOT)
#: Lines a student writes, copied from the issue that asked for this test (not read from solutions/).
KNOWN_ANSWERS = ('self.forget_gate = keras.layers.Dense(', "xh = tf.concat([x, hidden_state], axis=-1)",
                 "yield np.expand_dims(noise, -1), target")


def test_published_site_holds_no_answer_line(built_site: Path) -> None:
    """No file of the published site, pages, search index and notebooks alike, holds an answer line."""
    suffixes = {p.suffix for p in built_site.rglob("*") if p.suffix in TEXT_SUFFIXES}
    assert {".html", ".ipynb", ".json"} <= suffixes, suffixes
    leaks = find_answer_lines(built_site, ANSWERS)
    assert not leaks, "\n".join(f"{file}: {line}" for file, lines in leaks.items() for line in sorted(lines))


def test_answer_lines_are_what_the_student_writes() -> None:
    """The issue's examples are answer lines; punctuation and idioms the course's own code shows are not."""
    for line in KNOWN_ANSWERS:
        assert line in ANSWERS, line
    assert len(set(ANSWERS.values())) >= 50
    for line in (")", "return (", "with tf.GradientTape() as tape:", "@tf.function"):
        assert line not in ANSWERS, line


def test_scan_finds_answer_lines_wherever_they_land(tmp_path: Path) -> None:
    """A tiny site with an answer in highlighted HTML, a notebook and the search index: each is found."""
    highlighted = ('<pre><code><span class="n">xh</span> <span class="o">=</span> <span class="n">tf</span>'
                   '<span class="o">.</span><span class="n">concat</span>([<span class="n">x</span>, '
                   '<span class="n">hidden_state</span>], <span class="n">axis</span><span class="o">=-</span>'
                   '<span class="mi">1</span>)\n</code></pre>')
    pages = {
        "gates/index.html": f"<p>The step:</p>\n{highlighted}",
        "clean/index.html": "<p>The forget gate's bias starts at 1 (<code>bias_initializer=&quot;ones&quot;</code>).</p>",
        "notebooks/task/task.ipynb": json.dumps({"cells": [{"cell_type": "code", "outputs": [], "source": [
            "for noise in data:\n", "    yield np.expand_dims(noise, -1), target\n"]}]}),
        "search/search_index.json": json.dumps({"docs": [{"location": "gates/", "text":
            "<pre><code>self.forget_gate = keras.layers.Dense(\n    units)</code></pre>"}]}),
    }
    for name, text in pages.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = find_answer_lines(tmp_path, ANSWERS)
    assert sorted(found) == ["gates/index.html", "notebooks/task/task.ipynb", "search/search_index.json"], found


def test_exercise_boxes_show_the_students_skeleton(built_site: Path) -> None:
    """Where the instructors' view shows the reference, students see their own file's function."""
    html = (built_site / "gates" / "index.html").read_text()
    assert html.count("Your turn: <code>LSTMCell.") == 2, "gates.md has two solution blocks with code"
    text = unescape(re.sub(r"<[^>]+>", "", html))
    stub = skeleton((REPO_ROOT / "exercises" / "cell.py").read_text(), "LSTMCell.call")
    assert "raise NotImplementedError" in stub
    for line in stub.splitlines():
        assert line.strip() in text, line
    assert "lstm-course check --parts cell" in text
    training = (built_site / "training" / "index.html").read_text()
    assert training.count("Your turn:") == 2, "one box for the model, one for train"
