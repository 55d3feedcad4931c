"""Checks judged from the source text alone, in the parent, without running any student code.

* :func:`forbidden_uses`: built-in recurrent layers and ops however they are named
  (import, alias, attribute, ``getattr`` string).
* :func:`missing_type_hints` and :func:`missing_docstrings`: the homework's hard
  requirement on every public function and method.
* :func:`stubs`: functions that still raise ``NotImplementedError`` (an untouched exercise).
* :func:`answers_problems`: whether ``answers.md`` addresses both questions.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from course.grading.running.guard import FORBIDDEN_CLASSES, FORBIDDEN_OP_TYPES

#: The Python files of a submission.
SOURCE_FILES: tuple[str, ...] = ("data.py", "cell.py", "layer.py", "model.py", "train.py")
#: Names that are forbidden as attributes or imports, whatever module they come from.
FORBIDDEN_NAMES: frozenset[str] = frozenset(FORBIDDEN_CLASSES) | frozenset(FORBIDDEN_OP_TYPES) | frozenset({
    "dynamic_rnn", "static_rnn", "raw_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn",
    "static_state_saving_rnn", "rnn", "rnn_cell", "BasicLSTMCell", "LSTMBlockFusedCell", "CuDNNLSTM",
    "CuDNNGRU", "PeepholeLSTMCell", "MultiRNNCell", "BasicRNNCell", "CudnnLSTM", "CudnnGRU",
})
#: Modules a submission may not import.
FORBIDDEN_MODULES: tuple[str, ...] = ("solutions", "course")


@dataclass(frozen=True)
class Finding:
    """One problem found in the source.

    Attributes:
        file: str, the file name.
        line: int, the line number.
        what: str, a short description.
    """

    file: str
    line: int
    what: str

    def __str__(self) -> str:
        """Format as ``file:line: what``."""
        return f"{self.file}:{self.line}: {self.what}"


def parse(folder: Path) -> dict[str, ast.Module | None]:
    """Parse every source file of a submission.

    Args:
        folder: Path, the submission.

    Returns:
        dict of file name to its AST, or None when the file is missing or does not parse.
    """
    trees: dict[str, ast.Module | None] = {}
    for name in SOURCE_FILES:
        path = folder / name
        try:
            trees[name] = ast.parse(path.read_text(encoding="utf-8", errors="replace"), filename=name)
        except (OSError, SyntaxError, ValueError):
            trees[name] = None
    return trees


def _own_names(tree: ast.Module) -> set[str]:
    """Names the file binds from the submission itself: relative imports and its own definitions.

    Args:
        tree: the module's AST.

    Returns:
        set of names that may legitimately be called ``LSTM`` or ``LSTMCell``.
    """
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
    return names


def _root_name(node: ast.AST) -> str | None:
    """The leftmost name of an attribute chain (``a`` in ``a.b.c``).

    Args:
        node: an expression.

    Returns:
        The name, or None.
    """
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _imported_roots(tree: ast.Module) -> set[str]:
    """Names bound by absolute imports (``import keras``, ``from keras import layers as L``).

    Args:
        tree: the module's AST.

    Returns:
        set of names that refer to library modules or objects.
    """
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.update(alias.asname or alias.name for alias in node.names)
    return roots


#: Forbidden names that are also ordinary words for variables and layer names ("rnn").
_COMMON_WORDS = frozenset({"rnn", "rnn_cell"})


def forbidden_uses(trees: dict[str, ast.Module | None]) -> list[Finding]:
    """Find built-in recurrent layers and ops, and imports of the reference, in the source.

    Flags: absolute imports of a forbidden name or module; attribute chains rooted in
    an imported library (``keras.layers.LSTM``, ``L.GRU``, ``ops.rnn``); forbidden
    names as strings (``getattr(layers, "LSTM")``). The submission's own ``LSTM``
    and ``LSTMCell`` (defined or imported relatively) are fine.

    Args:
        trees: dict of file name to AST (from :func:`parse`).

    Returns:
        list of Finding.
    """
    findings: list[Finding] = []
    for file, tree in trees.items():
        if tree is None:
            continue
        own = _own_names(tree)
        library = _imported_roots(tree) - own
        for node in ast.walk(tree):
            line = getattr(node, "lineno", 0)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] in FORBIDDEN_MODULES or set(parts) & FORBIDDEN_NAMES:
                        findings.append(Finding(file, line, f"imports {alias.name}"))
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                module = node.module or ""
                if module.split(".")[0] in FORBIDDEN_MODULES:
                    findings.append(Finding(file, line, f"imports from {module}"))
                for alias in node.names:
                    if alias.name in FORBIDDEN_NAMES or set(module.split(".")) & FORBIDDEN_NAMES:
                        findings.append(Finding(file, line, f"imports {alias.name} from {module}"))
            elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
                if _root_name(node) in library:
                    findings.append(Finding(file, line, f"uses {ast.unparse(node)}"))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.strip()
                if text in FORBIDDEN_NAMES - _COMMON_WORDS - own:
                    findings.append(Finding(file, line, f"names {text!r} in a string"))
                elif text.split(".")[0] in FORBIDDEN_MODULES and "." in text and " " not in text:
                    findings.append(Finding(file, line, f"names {text!r} in a string"))
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.what))


def absent_imports(trees: dict[str, ast.Module | None]) -> list[Finding]:
    """Find absolute imports of modules the grading environment does not have.

    Inside a grading child such a module is a stand-in that fails only when used
    (:mod:`course.grading.running.absent`), so an unused import costs nothing; a report
    lists them as a warning worth no points, because a used one fails the checks that
    reach it, with a message naming the module.

    Args:
        trees: dict of file name to AST (from :func:`parse`).

    Returns:
        list of Finding, one per imported missing module.
    """
    import importlib.util

    findings: list[Finding] = []
    for file, tree in trees.items():
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                if root in _SUBMISSION_MODULES or root in sys.stdlib_module_names:
                    continue
                try:
                    present = importlib.util.find_spec(root) is not None
                except (ImportError, ValueError):
                    present = False
                if not present:
                    findings.append(Finding(file, node.lineno, f"imports {name}, which the grader does not provide"))
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.what))


#: The submission's own modules, which a file may import by an absolute name.
_SUBMISSION_MODULES = frozenset({"data", "cell", "layer", "model", "train"})


def _public_functions(tree: ast.Module) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None]]:
    """Module-level functions and methods of module-level classes that are public (or ``__init__``).

    Args:
        tree: the module's AST.

    Returns:
        list of ``(function, its class or None)``.
    """
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            found.append((node, None))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                        not item.name.startswith("_") or item.name == "__init__"):
                    found.append((item, node))
    return found


def _arguments(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[ast.arg]:
    """A function's named arguments, without ``self``/``cls``.

    Args:
        function: the function node.
        method: bool, whether it is a method (its first argument is skipped).

    Returns:
        list of ast.arg.
    """
    args = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    is_static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)
    if method and not is_static and args:
        args = args[1:]
    return args


def missing_type_hints(trees: dict[str, ast.Module | None]) -> list[Finding]:
    """Public functions and methods lacking a hint on an argument or on the return.

    ``*args``/``**kwargs`` may go without a hint, and ``__init__`` without a return hint.

    Args:
        trees: dict of file name to AST.

    Returns:
        list of Finding.
    """
    findings = []
    for file, tree in trees.items():
        for function, owner in _public_functions(tree) if tree else []:
            label = f"{owner.name}.{function.name}" if owner else function.name
            for arg in _arguments(function, owner is not None):
                if arg.annotation is None:
                    findings.append(Finding(file, function.lineno, f"{label}: argument {arg.arg} has no type hint"))
            if function.returns is None and function.name != "__init__":
                findings.append(Finding(file, function.lineno, f"{label}: no return type hint"))
    return findings


def missing_docstrings(trees: dict[str, ast.Module | None]) -> list[Finding]:
    """Public functions and methods without a docstring, or whose docstring skips an argument.

    An ``__init__`` may leave its arguments to its class's docstring (Keras style).

    Args:
        trees: dict of file name to AST.

    Returns:
        list of Finding.
    """
    findings = []
    for file, tree in trees.items():
        for function, owner in _public_functions(tree) if tree else []:
            label = f"{owner.name}.{function.name}" if owner else function.name
            doc = ast.get_docstring(function) or ""
            if function.name == "__init__" and owner is not None:
                doc = f"{doc}\n{ast.get_docstring(owner) or ''}"
            if not doc.strip():
                findings.append(Finding(file, function.lineno, f"{label}: no docstring"))
                continue
            names = [a.arg for a in _arguments(function, owner is not None)]
            names += [a.arg for a in (function.args.vararg, function.args.kwarg) if a is not None]
            for name in names:
                if not re.search(rf"(?<![\w]){re.escape(name)}\b", doc):
                    findings.append(Finding(file, function.lineno, f"{label}: the docstring does not explain {name}"))
    return findings


def stubs(trees: dict[str, ast.Module | None]) -> list[Finding]:
    """Functions that still raise ``NotImplementedError``: parts of the exercise not done yet.

    Args:
        trees: dict of file name to AST.

    Returns:
        list of Finding.
    """
    findings = []
    for file, tree in trees.items():
        for node in ast.walk(tree) if tree else []:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Raise) and inner.exc is not None:
                        target = inner.exc.func if isinstance(inner.exc, ast.Call) else inner.exc
                        if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                            findings.append(Finding(file, node.lineno, f"{node.name} is not implemented yet"))
                            break
    return findings


#: For each question of answers.md: words that show it is being addressed.
QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("truncated BPTT", ("truncat", "bptt", "backpropagation through time")),
    ("regression or classification", ("regression", "classification", "classif")),
)
#: Fewest words of answer (outside headings) per question.
MIN_WORDS = 20


def answers_problems(folder: Path) -> list[str]:
    """Tell what keeps ``answers.md`` from addressing both questions.

    The file is split at its headings; each question needs a section that names its
    topic and holds at least :data:`MIN_WORDS` words of answer.

    Args:
        folder: Path, the submission.

    Returns:
        list of problems; empty when both questions are addressed.
    """
    path = folder / "answers.md"
    if not path.is_file():
        return ["answers.md is missing"]
    text = path.read_text(encoding="utf-8", errors="replace")
    sections: list[tuple[str, str]] = []
    for block in re.split(r"^(?=#)", text, flags=re.MULTILINE):
        heading, _, body = block.partition("\n")
        sections.append((heading.lower(), re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)))
    problems = []
    for topic, keys in QUESTIONS:
        relevant = [body for heading, body in sections if any(k in heading or k in body.lower() for k in keys)]
        words = max((len(re.findall(r"[A-Za-z]{2,}", body)) for body in relevant), default=0)
        if words < MIN_WORDS:
            problems.append(f"the question on {topic} has no answer yet ({words} word{'' if words == 1 else 's'}; "
                            f"an answer needs at least {MIN_WORDS})")
    return problems
