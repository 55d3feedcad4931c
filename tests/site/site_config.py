"""Read mkdocs.yml and the Pages workflow the way the tests need them.

mkdocs.yml as plain YAML, with mkdocs' ``!ENV`` tag resolved; the workflow's build step as a
command line and its environment, so the tests build the site exactly as it is published.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from course.impl import REPO_ROOT


class _Loader(yaml.SafeLoader):
    """A safe YAML loader that also understands mkdocs' ``!ENV`` tag."""


def _env(loader: _Loader, node: yaml.Node) -> object:
    """Resolve ``!ENV NAME`` or ``!ENV [NAME, ..., default]`` as mkdocs does.

    Args:
        loader: the YAML loader.
        node: the tagged node.

    Returns:
        The first variable that is set, else the default (the list's last item), else None.
    """
    if isinstance(node, yaml.ScalarNode):
        return os.environ.get(loader.construct_scalar(node))
    *names, default = loader.construct_sequence(node)
    return next((os.environ[name] for name in names if name in os.environ), default)


_Loader.add_constructor("!ENV", _env)


def mkdocs_config(path: Path = REPO_ROOT / "mkdocs.yml") -> dict:
    """The site's configuration as a dict.

    Args:
        path: the mkdocs.yml to read.

    Returns:
        The parsed configuration.
    """
    return yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)


#: The workflow that builds and publishes the site.
PAGES_WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pages.yml"


def pages_workflow(path: Path = PAGES_WORKFLOW) -> dict:
    """The Pages workflow as parsed YAML (``on`` is read as a plain key, not as True).

    Args:
        path: the workflow file.

    Returns:
        The workflow's mapping.
    """
    text = path.read_text().replace("\non:", '\n"on":')
    return yaml.safe_load(text)


def pages_build_step(path: Path = PAGES_WORKFLOW) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of the workflow's ``mkdocs build`` step.

    Args:
        path: the workflow file.

    Returns:
        The step's command, split as a shell would, and its ``env`` (values as written,
        GitHub expressions unexpanded).

    Raises:
        ValueError: when no step, or more than one, runs ``mkdocs build``, or the step runs
            more than that one command (the tests could not repeat it exactly).
    """
    steps = [step for job in pages_workflow(path)["jobs"].values() for step in job.get("steps", [])
             if "mkdocs build" in step.get("run", "")]
    if len(steps) != 1:
        raise ValueError(f"{path.name}: {len(steps)} steps run mkdocs build, expected one")
    command = steps[0]["run"].strip()
    if "\n" in command or any(token in command for token in ("&&", ";", "|")):
        raise ValueError(f"{path.name}: the build step runs more than one command: {command!r}")
    return shlex.split(command), {name: str(value) for name, value in steps[0].get("env", {}).items()}


def build_as_published(out: Path, site_url: str, audience: str | None = None) -> subprocess.CompletedProcess:
    """Run the Pages workflow's own build step (.github/workflows/pages.yml), into ``out``.

    The step's command and environment are read from the workflow; only three things differ,
    and each must: its ``--site-dir`` is ``out``, its ``SITE_URL`` (a GitHub expression there)
    is ``site_url``, and ``mkdocs`` is this virtualenv's. ``SITE_AUDIENCE`` comes from the
    workflow (which does not set it) unless ``audience`` is given, never from the caller's
    environment.

    Args:
        out: Path, the folder to build into.
        site_url: str, the address the site will be served at.
        audience: str or None, ``instructors`` for the instructors' view.

    Returns:
        The finished build, stdout and stderr as text.
    """
    argv, step_env = pages_build_step()
    assert argv[:2] == ["mkdocs", "build"] and "--site-dir" in argv, argv
    argv[argv.index("--site-dir") + 1] = str(out)
    env = {k: v for k, v in os.environ.items() if k != "SITE_AUDIENCE"}
    env.update(step_env, SITE_URL=site_url, PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    if audience is not None:
        env["SITE_AUDIENCE"] = audience
    return subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, env=env)
