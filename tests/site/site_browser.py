"""Find and start Debian's Chromium for the site tests (a missing browser is a failure, not a skip)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

#: Flags for a quiet, offline, throw-away browser.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Where Debian puts it, tried when it is not on the PATH.
FALLBACKS = ["/usr/bin/chromium"]

INSTALL_HINT = (
    "Chromium not found. The site's browser test needs Debian's `chromium`: "
    "`make test` installs it when run as root; otherwise run `sudo apt-get install -y chromium`, "
    "or set CHROMIUM=/path/to/chromium."
)


def find_chromium() -> Path:
    """Locate the Chromium executable.

    ``$CHROMIUM`` wins, then ``chromium`` and ``chromium-browser`` on the PATH, then
    ``/usr/bin/chromium``.

    Returns:
        The executable's path.

    Raises:
        FileNotFoundError: with an install hint, when there is none.
    """
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  *FALLBACKS]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise FileNotFoundError(INSTALL_HINT)
