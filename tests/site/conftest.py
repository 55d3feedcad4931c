"""Fixtures for the site tests: the site built as the Pages workflow builds it, served on 127.0.0.1, and one browser."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_browser import CHROMIUM_ARGS, find_chromium
from site_config import build_as_published


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
    """Build the site as the Pages workflow publishes it (its own build step) into a temporary folder.

    ``site_url`` points at the test server: Material's instant navigation follows links only
    within ``site_url``'s host and port.

    Args:
        tmp_path_factory: pytest's session-wide temporary folders.
        site_port: the port the test server will listen on.

    Returns:
        The folder that holds the built site.
    """
    out = tmp_path_factory.mktemp("site") / "built"
    result = build_as_published(out, f"http://127.0.0.1:{site_port}/")
    assert result.returncode == 0, f"the Pages workflow's build failed:\n{result.stdout}\n{result.stderr}"
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
