"""Who a build of the course site is for: students (the default, and what is published) or instructors.

The instructors' view shows every page as written, reference code included. The students'
view (:mod:`course.audience.students`) replaces each worked solution with the skeleton of
the student's own file, and rewrites the notebooks' prose to say that they run the
student's code (:mod:`course.audience.notebooks`). :mod:`course.audience.answers` finds
answer lines wherever they land: the site's leak test and the student release's leak scan
both call it.
"""

from __future__ import annotations

import os

#: The two views of the site; mkdocs.yml's ``extra.audience`` picks one.
AUDIENCES: tuple[str, ...] = ("students", "instructors")
#: The view a build shows when nothing says otherwise: the one that can be published.
DEFAULT_AUDIENCE = "students"
#: The environment variable that mkdocs.yml reads (``extra.audience``).
AUDIENCE_VARIABLE = "SITE_AUDIENCE"


def audience_of(extra: dict | None) -> str:
    """The audience a build is for, from mkdocs' ``extra`` settings.

    Args:
        extra: dict or None, mkdocs.yml's ``extra`` mapping (``audience`` is read from it).

    Returns:
        ``"students"`` or ``"instructors"``.

    Raises:
        ValueError: for any other value, so a misspelt audience stops the build.
    """
    audience = (extra or {}).get("audience") or os.environ.get(AUDIENCE_VARIABLE) or DEFAULT_AUDIENCE
    if audience not in AUDIENCES:
        raise ValueError(f"site audience {audience!r}: expected one of {AUDIENCES} ({AUDIENCE_VARIABLE})")
    return audience
