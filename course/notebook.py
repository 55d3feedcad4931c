"""The first cell of every notebook: the implementation to load, and stubs reported in one line.

In the course repository the notebooks run on the reference (``solutions/``); in the
student release, which has no ``solutions/``, they run on the student's ``exercises/``
(:func:`course.impl.default_impl`). A cell that reaches an exercise the student has not
written yet prints one line naming the function and its chapter (:mod:`course.unfinished`)
instead of a traceback, and a later cell that needs a name that cell never defined says
so in one line too. Every other error keeps IPython's usual traceback.
"""

from __future__ import annotations

from typing import Any

from course.impl import default_impl

#: The stub that stopped the last failing cell, if any (later cells miss its names).
_last_stub: list[str] = []


def _handler(shell: Any, etype: type[BaseException], value: BaseException, tb: Any,
             tb_offset: int | None = None) -> None:
    """IPython's custom exception handler: one line for a stub, the usual traceback otherwise.

    Args:
        shell: the IPython shell.
        etype: the exception's type.
        value: the exception.
        tb: its traceback.
        tb_offset: passed on to IPython.
    """
    from course.unfinished import stub_message

    message = stub_message(value)
    if message is not None:
        _last_stub[:] = [message]
        print(message)
        return
    if isinstance(value, NameError) and _last_stub:
        print(f"This cell needs {value.name or 'a name'} from a cell above that stopped: {_last_stub[0]}")
        return
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def setup(impl: str | None = None) -> str:
    """Install the one-line stub report and say which implementation the notebook runs on.

    A notebook's first cell calls it before anything imports TensorFlow (which prints its
    start-up lines once imported, and this function imports it without them), then
    ``impl = load(implementation)``.

    Args:
        impl: str or None, ``solutions``, ``exercises`` or a folder (default:
            :func:`course.impl.default_impl`).

    Returns:
        The implementation to load: ``impl``, or the default.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to install
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((Exception,), _handler)
    from course.quiet import start_tensorflow

    start_tensorflow()  # TensorFlow's start-up lines are not for the notebook's readers
    return impl or default_impl()
