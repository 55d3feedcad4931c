"""The trusted parent's verdicts: how a run part's checks are decided from its child's raw outputs.

Each run part's module (:mod:`course.grading.checking.parts`) holds one verdict function
per check, registered in its :class:`Verdicts` table under the check's name. A verdict
reads a :class:`Case` (the part's inputs, the child's :class:`Evidence` and Keras'
references) and returns ``(passed, detail)``. A probe that raised makes the checks that
need it fail with what it raised; a ``NotImplementedError`` reads "not implemented yet".
Nothing the child wrote is trusted beyond being data: malformed output fails the check,
it never crashes the judge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from course.grading.checking import checks, parts
from course.grading.checking.inputs import PartInputs

#: Tolerance of "equals Keras" (SPEC: 1e-5), and for 200 steps.
ATOL, ATOL_LONG = 1e-5, 1e-4
#: Text that starts a check's detail when the student's code is still a stub.
NOT_IMPLEMENTED = "not implemented yet"


@dataclass
class Evidence:
    """What one child reported for one submission.

    Attributes:
        values: dict of JSON values.
        arrays: dict of numpy arrays.
        errors: dict of probe name to error description.
        guard: list of str, forbidden uses the runtime guard recorded.
    """

    values: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    errors: dict[str, dict[str, Any]] = field(default_factory=dict)
    guard: list[str] = field(default_factory=list)


class Missing(Exception):
    """Evidence a check needs is absent: the detail says why."""


class UnjudgedCheck(LookupError):
    """A registry row of a run part has no verdict function, or a verdict names no registry row."""


def error_text(error: dict[str, Any]) -> str:
    """Turn a recorded error into one line for the student.

    Args:
        error: dict from :func:`course.grading.checking.recording.describe`.

    Returns:
        str.
    """
    if not isinstance(error, dict):
        return "failed"
    message = str(error.get("message", ""))[:300]
    if error.get("not_implemented"):
        return f"{NOT_IMPLEMENTED}: {message}" if message else NOT_IMPLEMENTED
    where = f" (at {error['where']})" if error.get("where") else ""
    return f"{error.get('type', 'Error')}: {message}{where}"


class Case:
    """What a verdict reads: the part's inputs, the child's evidence (checked access) and Keras' references.

    Args:
        inputs: PartInputs, what the parent sent the child and what it kept.
        evidence: Evidence, what the child reported.
        oracle: zero-argument callable giving the part's Keras references, or None.
    """

    def __init__(self, inputs: PartInputs, evidence: Evidence,
                 oracle: Callable[[], dict[str, np.ndarray]] | None = None) -> None:
        """Keep the inputs, the evidence and the oracle.

        Args:
            inputs: PartInputs.
            evidence: Evidence.
            oracle: zero-argument callable, or None.
        """
        self.inputs = inputs
        self.evidence = evidence
        self.oracle = oracle

    @property
    def config(self) -> dict[str, Any]:
        """The JSON settings the parent sent the child."""
        return self.inputs.config

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays the parent sent the child."""
        return self.inputs.arrays

    @property
    def secret(self) -> dict[str, np.ndarray]:
        """The arrays only the parent kept (e.g. held-out labels)."""
        return self.inputs.secret

    def references(self) -> dict[str, np.ndarray]:
        """Keras' outputs for the part's inputs.

        Returns:
            dict of name to array (the part module's ``references``).

        Raises:
            Missing: when no oracle was given.
        """
        if self.oracle is None:
            raise Missing("the grader computed no Keras references for this part")
        return self.oracle()

    def need(self, *probes: str) -> None:
        """Raise :class:`Missing` when the import or one of ``probes`` failed.

        Args:
            *probes: str, probe names.

        Raises:
            Missing: with the error's text.
        """
        for probe in ("import", "run", *probes):
            if probe in self.evidence.errors:
                raise Missing(error_text(self.evidence.errors[probe]))

    def value(self, name: str) -> Any:
        """Return a recorded value.

        Args:
            name: str.

        Returns:
            The value.

        Raises:
            Missing: when absent.
        """
        if name not in self.evidence.values:
            raise Missing(f"no value {name} was reported")
        return self.evidence.values[name]

    def array(self, name: str) -> np.ndarray:
        """Return a recorded array.

        Args:
            name: str.

        Returns:
            np.ndarray.

        Raises:
            Missing: when absent.
        """
        if name not in self.evidence.arrays:
            raise Missing(f"no output {name} was reported")
        return np.asarray(self.evidence.arrays[name])


#: A verdict function: it takes the :class:`Case` (the part's inputs and the child's evidence) and
#: returns ``(passed, detail)``, the detail saying what the grader saw. Every verdict has this
#: signature, so its docstring states only what it decides.
Verdict = Callable[[Case], tuple[bool, str]]


class Verdicts:
    """One run part's verdict functions, keyed by the names of the registry's checks.

    A part module makes one table and registers each verdict with the check's full name,
    which must name a row of that part in :data:`course.grading.checking.checks.CHECKS`.

    Example:

    ```python
    VERDICTS = Verdicts("training")

    @VERDICTS.check("training.updates_weights")
    def updates_weights(case: Case) -> tuple[bool, str]:
        change = case.value("train.weights_changed")
        return change > 1e-6, f"largest weight change {change}"
    ```

    Args:
        part: str, the run part.
    """

    def __init__(self, part: str) -> None:
        """Start an empty table.

        Args:
            part: str, the run part.
        """
        self.part = part
        self.by_name: dict[str, Verdict] = {}

    def check(self, name: str) -> Callable[[Verdict], Verdict]:
        """Register the decorated function as the verdict of the check ``name``.

        Args:
            name: str, the check's full name (``part.what``).

        Returns:
            The decorator, which returns the function unchanged.

        Raises:
            UnjudgedCheck: when ``name`` is not a registry row of this part, or has a verdict already.
        """
        if name not in {c.name for c in checks.checks_for(self.part)}:
            raise UnjudgedCheck(f"{name!r} is not a check of the {self.part} part: add its Check row to "
                                "course/grading/checking/checks.py first")
        if name in self.by_name:
            raise UnjudgedCheck(f"{name!r} has two verdict functions")

        def register(function: Verdict) -> Verdict:
            self.by_name[name] = function
            return function

        return register

    def unjudged(self) -> list[str]:
        """Say what does not line up with the registry.

        Returns:
            list of str, one line per registry row without a verdict, or verdict without a row.
        """
        rows = [c.name for c in checks.checks_for(self.part)]
        return ([f"{name} has no verdict function in course/grading/checking/parts/{self.part}.py "
                 f"(decorate one with @VERDICTS.check({name!r}))" for name in rows if name not in self.by_name]
                + [f"{name} has a verdict function but no Check row in course/grading/checking/checks.py"
                   for name in self.by_name if name not in rows])

    def in_order(self) -> list[tuple[str, Verdict]]:
        """The verdicts in registry order.

        Returns:
            list of ``(check name, verdict function)``.

        Raises:
            UnjudgedCheck: when a registry row has no verdict, or a verdict no row.
        """
        problems = self.unjudged()
        if problems:
            raise UnjudgedCheck("; ".join(problems))
        return [(c.name, self.by_name[c.name]) for c in checks.checks_for(self.part)]


def unjudged() -> list[str]:
    """Every mismatch between the registry's run checks and the part modules' verdicts.

    Returns:
        list of str, empty when every run check has exactly one verdict function.
    """
    return [line for part in checks.RUN_PARTS for line in parts.module(part).VERDICTS.unjudged()]


def close(actual: np.ndarray, expected: np.ndarray, atol: float = ATOL) -> bool:
    """Tell whether two arrays have the same shape and values within ``atol``.

    Args:
        actual: array.
        expected: array.
        atol: float.

    Returns:
        bool.
    """
    return actual.shape == expected.shape and bool(np.all(np.isfinite(actual))) and bool(
        np.allclose(actual, expected, atol=atol, rtol=atol))


def gap(actual: np.ndarray, expected: np.ndarray) -> str:
    """Describe how far an output is from the expected one.

    Args:
        actual: array.
        expected: array.

    Returns:
        str.
    """
    if actual.shape != expected.shape:
        return f"shape {actual.shape}, expected {expected.shape}"
    return f"largest difference {float(np.max(np.abs(actual - expected))):.3g}"


def all_positive(norms: Any) -> tuple[bool, str]:
    """Judge a list of gradient norms (-1 = no gradient).

    Args:
        norms: list of float.

    Returns:
        ``(passed, detail)``.
    """
    if not isinstance(norms, list) or not norms:
        return False, "no trainable variables were found"
    missing = sum(1 for n in norms if n is None or n < 0)
    zero = sum(1 for n in norms if n is not None and 0 <= n <= 1e-12)
    if missing or zero:
        return False, f"of {len(norms)} variables, {missing} got no gradient and {zero} a zero gradient"
    return True, f"all {len(norms)} variables get a gradient"


def judge(part: str, inputs: PartInputs, evidence: Evidence, oracle: Any = None) -> dict[str, tuple[bool, str]]:
    """Decide every check of a run part.

    Args:
        part: str.
        inputs: the part's inputs.
        evidence: the child's report.
        oracle: a zero-argument callable giving the part's Keras references (cell, layer).

    Returns:
        dict of full check name to ``(passed, detail)``.

    Raises:
        UnjudgedCheck: when the part's verdicts and the registry's rows do not line up.
    """
    verdicts: dict[str, tuple[bool, str]] = {}
    case = Case(inputs, evidence, oracle)
    notes = import_notes(part, evidence)
    first_with: dict[str, str] = {}
    for name, decide in parts.module(part).VERDICTS.in_order():
        try:
            passed, detail = decide(case)
        except Missing as missing:
            passed, detail = False, str(missing)
        except Exception as error:  # noqa: BLE001 - malformed child output fails the check, never the grader
            passed, detail = False, f"the grader could not read this part's output ({type(error).__name__}: {error})"
        if not passed and detail.startswith(NOT_IMPLEMENTED):
            pass  # an unfinished exercise: each check keeps its "not implemented yet" hint
        elif not passed and detail in first_with:  # one cause, stated once: the others point to it
            detail = f"the same failure as {first_with[detail]}, where the grader states it (one cause, charged there)"
        elif not passed:
            for stated, where in first_with.items():  # a cause stated before, quoted inside this detail
                if len(stated) > 40 and stated in detail:
                    detail = detail.replace(stated, f"the failure stated at {where}")
            first_with.setdefault(detail, name)
        if notes and not verdicts:  # said once, on the part's first check
            detail = f"{detail}. {notes}"
        verdicts[name] = (bool(passed), detail)
    return verdicts


def import_notes(part: str, evidence: Evidence) -> str:
    """Say which modules the grader stood in for while this part ran, and why.

    Args:
        part: str, the run part.
        evidence: the child's report (``import.*`` values).

    Returns:
        str, empty when nothing was stood in for.
    """
    notes = []
    absent = evidence.values.get("import.absent_modules")
    if isinstance(absent, list) and absent:
        notes.append(f"Note: the code imports {', '.join(map(str, absent[:5]))}, which the grader does not provide; "
                     "a stand-in took its place, which fails only where it is used.")
    for short in ("data", "cell", "layer", "model"):
        error = evidence.values.get(f"import.{short}_stand_in")
        if isinstance(error, dict):
            notes.append(f"Note: {checks.PART_FILE.get(part, part)} imports {short}.py, which could not be imported "
                         f"({error_text(error)}); the grader gave this part its stand-in for {short}.py, so the "
                         f"{part} points do not depend on it.")
    return " ".join(notes)
