"""Subcommands of ``lstm-course``: one module each, with ``register(subparsers)``."""
