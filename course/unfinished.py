"""Say in one line which exercise is still a stub, instead of printing a traceback.

Every stub in ``exercises/`` is generated the same way (``course/exercises_gen.py``)::

    # TODO: shuffle, then batch, then prefetch (see the chapter "Generators and tf.data", docs/data.md)
    raise NotImplementedError('prepare: shuffle, then batch, then prefetch')

so the line that raised names the function, and the comment above it names the chapter.
:func:`stub_message` finds that line from the exception's traceback, or, when TensorFlow
re-raised the error from inside ``tf.data`` or a traced function (the original
traceback is then only text in the message), from the ``File "...", line N`` lines of
that text.
"""

from __future__ import annotations

import linecache
import re
import traceback

#: ``(see the chapter "Generators and tf.data", docs/data.md)`` at the end of a TODO line.
CHAPTER = re.compile(r'\(see the chapter "(?P<title>[^"]+)", (?P<page>[\w./-]+)\)')
#: The stub's own message: ``'prepare: shuffle, then batch, then prefetch'``.
STUB = re.compile(r"""raise NotImplementedError\(\s*(?P<q>['"])(?P<name>[\w.]+):\s*(?P<what>.*?)(?P=q)\s*\)""")
#: A frame as Python prints it, also inside the text of a TensorFlow error.
FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
#: How far above the ``raise`` the TODO comment may be.
TODO_LOOKBACK = 3


def _frames(error: BaseException) -> list[tuple[str, int]]:
    """Every ``(file, line)`` the error went through, innermost first, chained errors included.

    Args:
        error: BaseException.

    Returns:
        ``(file name, line number)`` pairs.
    """
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return [(m["file"], int(m["line"])) for m in FRAME.finditer(text)][::-1]


def _stub_at(file: str, line: int) -> tuple[str, str, str] | None:
    """The stub raised at ``file:line``, if that line is a generated stub.

    Args:
        file: str, a source file.
        line: int, the 1-based line that raised.

    Returns:
        ``(function, what to write, chapter)`` or None; the chapter is ``'"Title" (docs/page.md)'``
        or empty when no TODO comment names one.
    """
    stub = STUB.search(linecache.getline(file, line))
    if stub is None:
        return None
    chapter = ""
    for above in range(line - 1, max(0, line - 1 - TODO_LOOKBACK), -1):
        found = CHAPTER.search(linecache.getline(file, above))
        if found:
            chapter = f'"{found["title"]}" ({found["page"]})'
            break
    return stub["name"], stub["what"], chapter


def stub_message(error: BaseException) -> str | None:
    """One line for an exercise that is not done yet, or None when ``error`` is something else.

    Args:
        error: BaseException, as caught around a command or a notebook cell.

    Returns:
        For example ``prepare (exercises/data.py) is not written yet: shuffle, then batch,
        then prefetch. The chapter "Generators and tf.data" (docs/data.md) explains it.``;
        None when no stub raised it.
    """
    if "NotImplementedError" not in "".join(traceback.format_exception_only(type(error), error)) and not any(
            isinstance(e, NotImplementedError) for e in _chain(error)):
        return None
    for file, line in _frames(error):
        found = _stub_at(file, line)
        if found:
            name, what, chapter = found
            where = "/".join(file.replace("\\", "/").split("/")[-2:])
            explained = f" The chapter {chapter} explains it." if chapter else ""
            return f"{name} ({where}) is not written yet: {what}.{explained}"
    return None


def _chain(error: BaseException) -> list[BaseException]:
    """The error and the errors it was raised from or during.

    Args:
        error: BaseException.

    Returns:
        The chain, outermost first.
    """
    chain: list[BaseException] = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain
