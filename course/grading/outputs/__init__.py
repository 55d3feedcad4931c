"""What comes out, each built from :class:`course.grading.result.GradeReport`: the gradebook, the
per-student reports, Gradescope's results shape, and Gradescope's bundle and runner."""
