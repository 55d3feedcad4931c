"""Read mkdocs.yml the way the tests need it: plain YAML, with mkdocs' ``!ENV`` tag resolved."""

from __future__ import annotations

import os
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
