"""What is checked: the registry of checks, the probes that run in the child, the judges and
Keras oracle that decide them, the grader-owned stand-ins, the static rules and the inputs."""
