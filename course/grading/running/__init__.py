"""How student code runs: the sandbox (bubblewrap, or Landlock and seccomp where it cannot start),
the runner that starts part children in it, the worker inside it, the child itself, what is done to
their processes (uid, limits, kills), the runtime guards, and the batch worker's process fence."""
