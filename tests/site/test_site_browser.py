"""Open every page of the built site in headless Chromium and check what a reader would see.

A page fails on a console error or uncaught exception, a failed request, an image that did
not load, math that MathJax left untypeset, or raw TeX delimiters left in the text. A
screenshot of every page goes to ``artifacts/screenshots/`` (ignored by git).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from course.impl import REPO_ROOT
from site_browser import CHROMIUM_ARGS, find_chromium

SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"

#: Runs in the page after load: waits for MathJax, then reports what a reader would notice.
PAGE_REPORT_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const arithmatex = [...document.querySelectorAll('.arithmatex')];
  const notebookMath = [...document.querySelectorAll('.jp-RenderedMarkdown')]
      .filter(el => el.querySelector('mjx-container'));
  const text = [...document.querySelectorAll('article p, article li, article td, article .jp-RenderedMarkdown')]
      .filter(el => !el.closest('pre, code'))
      .map(el => {
        const copy = el.cloneNode(true);
        copy.querySelectorAll('code, pre, mjx-container, script').forEach(c => c.remove());
        return copy.textContent;
      }).join('\\n');
  return {
    title: document.title,
    mathjaxLoaded: !!(window.MathJax && MathJax.typesetPromise),
    arithmatex: arithmatex.length,
    untypeset: arithmatex.filter(el => !el.querySelector('mjx-container')).map(el => el.textContent.slice(0, 60)),
    notebookMath: notebookMath.length,
    mathjaxErrors: [...document.querySelectorAll('mjx-merror')].map(el => el.getAttribute('data-mjx-error')),
    images: [...document.querySelectorAll('article img')].map(img => ({
      src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0})),
    text: text,
  };
}
"""

#: TeX that should never reach a reader as plain text.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\\frac|\\sigma|\\odot|(?<![\w$])\$[^$\s][^$\n]*\$")


def _pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as URL paths.

    Args:
        site: the built site's folder.

    Returns:
        Paths such as ``""``, ``"task/"``, ``"notebooks/gates/"``.
    """
    pages = sorted(p.parent.relative_to(site).as_posix() for p in site.rglob("index.html"))
    return [("" if p == "." else p + "/") for p in pages]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright, with a fresh profile.

    Yields:
        The Playwright browser.
    """
    from playwright.sync_api import sync_playwright

    executable = find_chromium()  # raises, with an install hint: the test fails, it does not skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_browser_is_found() -> None:
    """The test needs Debian's Chromium; without it the suite fails with a hint."""
    assert find_chromium().is_file()


def test_missing_browser_is_a_failure_with_a_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Chromium anywhere: the browser fixture raises (a failure), and says how to install it."""
    import site_browser

    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-browser"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(site_browser, "FALLBACKS", [str(tmp_path / "chromium")])
    with pytest.raises(FileNotFoundError, match="apt-get install -y chromium"):
        site_browser.find_chromium()


def test_every_page_renders(browser: object, built_site: Path, site_url: str) -> None:
    """Open every page, wait for MathJax, check it, and save a screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = _pages(built_site)
    assert len(pages) >= 16, pages
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: dict[str, list[str]] = {}
    math_pages = []
    for path in pages:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg, errors=errors: errors.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc, errors=errors: errors.append(f"uncaught: {exc}"))
        page.on("requestfailed", lambda req, errors=errors: errors.append(f"request failed: {req.url}"))
        response = page.goto(site_url + path, wait_until="load")
        if response is None or response.status != 200:
            errors.append(f"HTTP {response.status if response else 'no response'}")
        report = page.evaluate(PAGE_REPORT_JS)
        page.wait_for_timeout(100)  # let late console messages arrive
        errors += [f"MathJax did not typeset: {t!r}" for t in report["untypeset"]]
        errors += [f"MathJax error: {e}" for e in report["mathjaxErrors"]]
        errors += [f"image did not load: {i['src']}" for i in report["images"] if not i["ok"]]
        errors += [f"raw TeX in the text: {m.group(0)!r}" for m in RAW_TEX.finditer(report["text"])][:5]
        if not report["mathjaxLoaded"]:
            errors.append("MathJax is not loaded")
        if "/notebooks/" in "/" + path and report["notebookMath"] == 0:
            errors.append("no typeset math in the notebook's markdown cells (mkdocs-jupyter#227)")
        if report["arithmatex"] or report["notebookMath"]:
            math_pages.append(path)
        name = path.strip("/").replace("/", "_") or "index"
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        if errors:
            problems[path or "/"] = errors
        page.close()
    context.close()
    assert not problems, "\n".join(f"{p}: {e}" for p, errs in problems.items() for e in errs)
    assert len(math_pages) >= 8, f"only these pages typeset math: {math_pages}"


def test_math_after_instant_navigation(browser: object, site_url: str) -> None:
    """Material's instant navigation swaps pages without a reload; the new page's math must be typeset."""
    page = browser.new_page()
    page.goto(site_url, wait_until="load")
    page.evaluate("() => MathJax.startup.promise")
    page.evaluate("() => { window.__sameDocument = true; }")  # survives instant navigation, not a reload
    page.click("nav.md-nav--primary a[href$='gates/']")
    page.wait_for_url("**/gates/")
    page.wait_for_function(
        "() => document.querySelectorAll('article .arithmatex').length > 0 && "
        "[...document.querySelectorAll('article .arithmatex')].every(el => el.querySelector('mjx-container'))",
        timeout=15_000,
    )
    assert page.evaluate("() => window.__sameDocument === true"), "the click reloaded the page: no instant navigation"
    page.close()
