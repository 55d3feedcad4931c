"""The ``--impl`` option of the course's pytest runs, loaded by every pytest in this environment.

``pytest --impl PATH`` chooses the implementation the graders (``tests/graders``) and the
reference tests run against: ``solutions``, ``exercises`` or any folder. A conftest cannot
define the option reliably: pytest reads the command line before it loads
``tests/conftest.py`` and, seeing an unknown ``--impl``, takes ``PATH`` for a test path.
When ``PATH`` lies outside the repository (``/tmp/mine``, ``../mine``), pytest then roots
the run there: it finds no configuration, no ``tests/`` and no option
(``error: unrecognized arguments: --impl``). This module is a pytest plugin, registered
through the ``pytest11`` entry point in ``pyproject.toml``, so the option exists before
the command line is read in full; and when the early guess took ``PATH`` for the rootdir,
:func:`pytest_load_initial_conftests` roots the run where it was started instead, as
``pytest --impl=PATH`` always did.
"""

from __future__ import annotations

import copy

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--impl``: ``solutions``, ``exercises`` or a folder path.

    The default is ``solutions`` in the course repository and ``exercises`` in the
    student release, which has no ``solutions/`` (:func:`course.impl.default_impl`).

    Args:
        parser: pytest's option parser.
    """
    from course.impl import default_impl

    parser.addoption(
        "--impl",
        default=default_impl(),
        help="implementation for tests/graders: solutions, exercises or a folder (default: %(default)s)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    """Undo the rootdir that pytest guessed from ``--impl``'s value, before any conftest loads.

    pytest chooses the rootdir and configuration file from the command line's paths before
    plugins add their options, so the folder after ``--impl`` counts as one. When that folder
    was the only path, no configuration file was found, and the folder where pytest started
    has one, the run is rooted there again: its configuration, ``addopts`` and
    ``testpaths`` apply, as with ``--impl=PATH``. pytest offers no public way to do this,
    so the function changes pytest's private fields; if a later pytest renames them, it
    leaves the run as pytest set it up (and ``tests/release/test_pytest_plugin.py`` fails).

    Args:
        early_config: pytest's config, command line parsed with every plugin's options.
        args: the command-line arguments, changed in place (the configuration's ``addopts``
            go first, as pytest does).
    """
    from _pytest.config.findpaths import determine_setup

    namespace = early_config.known_args_namespace
    impl = getattr(namespace, "impl", None)
    needed = ("_rootpath", "_inipath", "_inicfg", "_inicache")
    if early_config.inipath is not None or not impl or not all(hasattr(early_config, n) for n in needed):
        return
    try:
        rootpath, inipath, inicfg = determine_setup(
            inifile=None, override_ini=namespace.override_ini, args=namespace.file_or_dir,
            rootdir_cmd_arg=namespace.rootdir or None, invocation_dir=early_config.invocation_params.dir)[:3]
    except TypeError:  # another pytest's signature: leave the run as pytest set it up
        return
    if inipath is None:
        return
    old_rootpath = early_config.rootpath
    early_config._rootpath, early_config._inipath, early_config._inicfg = rootpath, inipath, inicfg
    early_config._inicache.clear()
    early_config._parser.extra_info.update(rootdir=str(rootpath), inifile=str(inipath))
    addopts = early_config.getini("addopts")
    early_config.pluginmanager.consider_preparse(addopts, exclude_only=True)  # "-p no:NAME" there
    args[:] = [*addopts, *args]
    early_config.known_args_namespace = early_config._parser.parse_known_args(
        args, namespace=copy.copy(early_config.option))
    if early_config.known_args_namespace.confcutdir in (None, str(old_rootpath)):
        early_config.known_args_namespace.confcutdir = str(inipath.parent)

