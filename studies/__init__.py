"""Studies: one-off measurements whose conclusions are committed (results and a page's reasoning).

They are not part of the installed package (``course/``), the Gradescope bundle or the
release: they need the repository's corpora (``tests/``) and answer a question once. Each
runs as ``python -m studies.NAME`` from the repository's root; the Performance page says
which command made which table.
"""
