"""Is this checkout installed, as ``pyproject.toml`` says, in the running Python? (``make``'s install step asks.)

``make test`` and ``make serve`` install the project once and leave a stamp file; a venv set
up by hand as the README says (``pip install -e ".[dev]"``) has no stamp, and ``make`` used to
reinstall everything. The Makefile now runs ``python -m course.installed`` first: exit
status 0 when the installed project matches ``pyproject.toml`` (version, requirements with
the ``dev`` extra, entry points, each requirement satisfied, ``course`` imported from this
checkout), 1 with the reasons otherwise.

Only the standard library and ``packaging`` (which pip's own dependencies install; when it
is missing the answer is "not installed") are used: the check runs before the install.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

#: The distribution's name in pyproject.toml.
DISTRIBUTION = "lstm-from-scratch"
#: The extra that ``make`` installs.
EXTRA = "dev"
#: The checkout this module belongs to.
ROOT = Path(__file__).resolve().parent.parent


def differences(project: dict, distribution: importlib.metadata.Distribution) -> list[str]:
    """What the installed distribution lacks compared with ``pyproject.toml``'s ``[project]`` table.

    Args:
        project: dict, the ``[project]`` table of ``pyproject.toml``.
        distribution: the installed distribution.

    Returns:
        list of str, one reason per difference (empty when the install is current).
    """
    from packaging.requirements import Requirement
    from packaging.version import Version

    reasons = []
    if Version(distribution.version) != Version(project["version"]):
        reasons.append(f"installed version {distribution.version}, pyproject.toml says {project['version']}")
    wanted = {str(Requirement(r)) for r in project.get("dependencies", [])}
    wanted |= {str(Requirement(f"{r}; extra == '{EXTRA}'" if ";" not in r else f"{r} and extra == '{EXTRA}'"))
               for r in project.get("optional-dependencies", {}).get(EXTRA, [])}
    installed = {str(Requirement(r)) for r in distribution.requires or []}
    reasons += [f"requirement not in the installed metadata: {r}" for r in sorted(wanted - installed)]
    groups = {"console_scripts": project.get("scripts", {}), **project.get("entry-points", {})}
    wanted_points = {(group, name, value) for group, points in groups.items() for name, value in points.items()}
    installed_points = {(p.group, p.name, p.value) for p in distribution.entry_points}
    reasons += [f"entry point not installed: [{g}] {n} = {v}" for g, n, v in sorted(wanted_points - installed_points)]
    for text in sorted(wanted):
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": EXTRA}):
            continue
        try:
            version = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            reasons.append(f"{requirement.name} is not installed")
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            reasons.append(f"{requirement.name} {version} does not satisfy {requirement}")
    return reasons


def imported_from(python: str = sys.executable) -> Path | None:
    """Where ``import course`` finds the package when not run from a checkout (``-I``, from ``/``).

    Args:
        python: str, the interpreter to ask.

    Returns:
        Path of the package folder, or None when it is not importable.
    """
    done = subprocess.run([python, "-I", "-c", "import course; print(course.__file__)"], cwd="/",
                          capture_output=True, text=True, timeout=60)
    return Path(done.stdout.strip()).resolve().parent if done.returncode == 0 and done.stdout.strip() else None


def main(root: Path = ROOT) -> int:
    """Print why the checkout needs installing, if it does.

    Args:
        root: Path, the checkout (holds ``pyproject.toml`` and ``course/``).

    Returns:
        0 when the install is current, 1 when ``pip install -e ".[dev]"`` is needed.
    """
    try:
        import tomllib

        from packaging.requirements import Requirement  # noqa: F401
    except ImportError as error:  # Python 3.10 or a bare venv: install to be sure
        print(f"cannot tell ({error.name} is missing)")
        return 1
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    try:
        distribution = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        print(f"{DISTRIBUTION} is not installed")
        return 1
    reasons = differences(project, distribution)
    if imported_from() != root / "course":
        reasons.append(f"import course does not find {root / 'course'} (not an editable install of this checkout)")
    for reason in reasons:
        print(reason)
    return 1 if reasons else 0


if __name__ == "__main__":
    raise SystemExit(main())
