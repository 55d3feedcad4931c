"""A part's probes as one or more tasks: children that run side by side, merged back into one run.

Grading ``--parts layer`` alone on two cores used to leave a core idle while the layer's
child ran its probes one after another (2.0 s of its 5 s wall, mostly tracing graphs).
A part listed in :data:`GROUPS` can instead run as one task per probe group, each in its
own child with the part's own limits, when a job slot would otherwise idle
(:func:`plan`). Only a forking runner splits (:mod:`course.grading.running.runner`): its children
are forks of a worker that imported TensorFlow already, while a runner that does not fork
would import it again in each extra child (measured: ``--parts layer`` took 5.4 s split that
way against 5.0 s whole, three imports sharing two cores). :func:`merge` turns the tasks' runs back into the one run the judges
read, so the verdicts are those of one child: a part whose task timed out or crashed
has no evidence at all, exactly as when its one child timed out or crashed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

#: Parts whose probes split into groups that can run in separate children (the probe module
#: runs one group when told, every group otherwise): the layer's probes of the bare layer, and
#: its training inside a grader model in three patterns (``course.grading.checking.probes.layer``).
GROUPS: dict[str, tuple[str, ...]] = {"layer": ("bare", "in_model")}
#: A part's end, most serious first (``ok`` last).
_SEVERITY: tuple[str, ...] = ("timeout", "crashed", "ok")


@dataclass(frozen=True)
class Task:
    """One child's share of a part.

    Attributes:
        part: str, the run part.
        group: str or None, the probe group (None: every probe of the part).
        submissions: tuple of int, which of the runner's submission folders the child grades, in
            order (one, except in the mutant suite's trusted shared mode:
            :func:`course.grading.core.grade_shared`).
        shard: int or None, which of a part's children this is when the part's submissions are
            shared out over several (None: the only one).
    """

    part: str
    group: str | None = None
    submissions: tuple[int, ...] = (0,)
    shard: int | None = None

    @property
    def name(self) -> str:
        """The task's name, also its work folder's: ``layer``, ``layer-in_model`` or ``cell-2``."""
        return "-".join([self.part, *([self.group] if self.group else []),
                         *([str(self.shard)] if self.shard is not None else [])])


def plan(parts: list[str], jobs: int) -> list[Task]:
    """The tasks for ``parts``: split parts into their groups only when there are more job slots than parts.

    A whole check (five parts, two jobs) keeps one child per part: splitting would add a
    child's start-up without shortening the wall. ``--parts layer`` on two cores splits.

    Args:
        parts: list of str, the run parts, in start order.
        jobs: int, children at once.

    Returns:
        list of Task, each part's tasks together, in the parts' order.
    """
    if len(parts) >= jobs:
        return [Task(part) for part in parts]
    return [task for part in parts for task in ([Task(part, g) for g in GROUPS[part]] if part in GROUPS
                                                else [Task(part)])]


def merge(part: str, runs: list[Any]) -> Any:
    """One part's run from its tasks' runs (a single run is returned as it is).

    Args:
        part: str.
        runs: list of :class:`course.grading.running.runner.PartRun`, one per task, in plan order.

    Returns:
        PartRun: the worst end (timeout, then crashed) and its reason; no evidence for a
        submission unless every task brought some back, else the tasks' evidence combined;
        the longest task's seconds; every task's distinct output; the weakest isolation.
    """
    if len(runs) == 1:
        return runs[0]
    from course.grading.checking.judges import Evidence
    from course.grading.running.sandbox import LEVELS  # strongest first

    worst = min(runs, key=lambda run: _SEVERITY.index(run.status) if run.status in _SEVERITY else 0)
    evidence: list[Evidence | None] = []
    for found in zip(*(run.evidence for run in runs)):
        if worst.status != "ok" or any(e is None for e in found):
            evidence.append(None)
            continue
        combined = Evidence()
        for one in found:
            combined.values.update(one.values)
            combined.arrays.update(one.arrays)
            combined.errors.update({k: v for k, v in one.errors.items() if k not in combined.errors})
            combined.guard.extend(g for g in one.guard if g not in combined.guard)
        combined.guard = combined.guard[:50]
        evidence.append(combined)
    outputs = dict.fromkeys(run.output.strip() for run in runs if run.output.strip())
    isolation = max((run.isolation for run in runs),
                    key=lambda level: LEVELS.index(level) if level in LEVELS else len(LEVELS))
    return replace(worst, part=part, seconds=max(run.seconds for run in runs), evidence=evidence,
                   output="\n".join(outputs), isolation=isolation)
