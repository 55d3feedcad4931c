"""What comes out: the gradebook, the per-student reports, Gradescope's bundle and results,
and the student release."""
