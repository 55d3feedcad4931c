"""The student release: what students get, made by ``lstm-course release`` (not grading).

- :mod:`course.release.build`: the release folder (exercises, the students' docs, the public
  graders, the course package) with no solutions, and the scans that prove it;
- :mod:`course.release.classroom`: the release's GitHub Classroom workflow, and the converter
  from ``lstm-course grade --json`` to Classroom's reporter (standard library only).
"""
