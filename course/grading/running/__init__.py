"""How student code runs: the bubblewrap sandbox, the runner that starts part children in it,
the child itself, the runtime guards, and the batch worker's process fence."""
