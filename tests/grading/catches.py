"""What counts as a mutant's catch: its check failed on evidence that its part produced.

A failed check proves the check only when the part ran to the end and the check judged
what the student's code returned. These do not count:

- the part crashed, timed out or was invalid (every check of the part then reads
  "the <part> part crashed: ..."): that tests the runner, not the check;
- a probe raised, so the check only repeats the exception (``TypeError: ...``), or the
  code is still a stub ("not implemented yet");
- the grader could not read the child's output.
"""

from __future__ import annotations

import re

from course.grading.checking.checks import BY_NAME, RUN_PARTS
from course.grading.checking.judges import NOT_IMPLEMENTED

Verdicts = dict[str, tuple[bool, str]]

#: Details that repeat an exception or a missing value instead of judging an output.
RAISED = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b"
                    r"|the grader could not read|no value \S+ was reported"
                    rf"|{re.escape(NOT_IMPLEMENTED)})")


def part_failure(part: str, verdicts: Verdicts) -> str | None:
    """Say why a run part produced no evidence, if it did not.

    Args:
        part: str, a run part.
        verdicts: one submission's verdicts.

    Returns:
        The detail of the part's failure ("the cell part crashed: ..."), or None when it ran.
    """
    prefix = f"the {part} part "
    for name, (_, detail) in verdicts.items():
        if BY_NAME[name].part == part and detail.startswith(prefix):
            return detail
    return None


def why_not_a_catch(check: str, verdicts: Verdicts, raises: bool = False) -> str | None:
    """Tell whether ``check`` caught a mistake by judging it, and if not, why.

    Args:
        check: str, the check that must catch the mistake.
        verdicts: the submission's verdicts.
        raises: bool, the mistake is that a call the contract makes raises: then the check's
            detail may be that exception (the part must still have run to the end).

    Returns:
        None for a real catch; otherwise a sentence saying why it is not one.
    """
    if check not in verdicts:
        return f"{check} was not graded"
    passed, detail = verdicts[check]
    if passed:
        return f"{check} passed: {detail}"
    part = BY_NAME[check].part
    if part in RUN_PARTS and (failure := part_failure(part, verdicts)):
        return f"the part did not run to the end, so {check} judged nothing: {failure}"
    if RAISED.match(detail) and not raises:
        return f"{check} only repeats what a probe raised: {detail}"
    return None


def lost_elsewhere(check: str, verdicts: Verdicts) -> dict[str, str]:
    """The checks of other parts that failed on a mistake that belongs to ``check``'s part.

    Args:
        check: str, the check that names the mistake.
        verdicts: the submission's verdicts (every part graded on it).

    Returns:
        dict of check name to detail, empty when the mistake cost its own part only.
    """
    own = BY_NAME[check].part
    return {name: detail for name, (passed, detail) in verdicts.items()
            if BY_NAME[name].part != own and not passed}
