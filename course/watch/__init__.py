"""``lstm-course check --watch``: regrade the parts a saved file concerns, with the same verdicts as ``check``.

- :mod:`.files`: what the folder holds now, and waiting for a save (polling, debounced);
- :mod:`.scope`: which run parts load a changed file;
- :mod:`.standing`: the whole check, kept up to date from each partial regrade;
- :mod:`.grader`: the one function that grades, held for the watcher's lifetime;
- :mod:`.reaper`: nothing the watcher started outlives it;
- :mod:`.session`: the loop and what the student reads.
"""
