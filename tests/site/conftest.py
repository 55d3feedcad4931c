"""Fixtures for the site tests: one strict build of the site, served on 127.0.0.1, and one browser."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from course.impl import REPO_ROOT
from site_browser import CHROMIUM_ARGS, find_chromium
from site_config import mkdocs_config


@pytest.fixture(scope="session")
def site_port() -> int:
    """A free TCP port on 127.0.0.1 for the test server.

    Returns:
        The port number.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, site_port: int) -> Path:
    """Build the site with ``mkdocs build --strict`` into a temporary folder.

    The build uses mkdocs.yml as it is, through a child config that only points ``site_url``
    at the test server: Material's instant navigation follows links only within
    ``site_url``'s host and port.

    Args:
        tmp_path_factory: pytest's session-wide temporary folders.
        site_port: the port the test server will listen on.

    Returns:
        The folder that holds the built site.
    """
    work = tmp_path_factory.mktemp("site")
    config = work / "mkdocs.yml"
    # Paths in mkdocs.yml are relative to it; the child config lives elsewhere, so make them absolute.
    parent = mkdocs_config()
    config.write_text(yaml.safe_dump({
        "INHERIT": str(REPO_ROOT / "mkdocs.yml"),
        "docs_dir": str(REPO_ROOT / "docs"),
        "theme": {**parent["theme"], "custom_dir": str(REPO_ROOT / parent["theme"]["custom_dir"])},
        "site_url": f"http://127.0.0.1:{site_port}/",
        "hooks": [str(REPO_ROOT / hook) for hook in parent.get("hooks", [])],
        "watch": [],
    }))
    out = work / "built"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without logging every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Drop the request log line.

        Args:
            format: str, the log format.
            *args: the values for ``format``.
        """


@pytest.fixture(scope="session")
def site_url(built_site: Path, site_port: int) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 for the whole session.

    Args:
        built_site: the folder of the built site.
        site_port: the port to listen on (the one the site was built for).

    Yields:
        The base URL, ending with ``/``.
    """
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright, shared by every site test of the session.

    Yields:
        The Playwright browser.
    """
    from playwright.sync_api import sync_playwright

    executable = find_chromium()  # raises, with an install hint: the test fails, it does not skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
