"""Open every page of the built site in headless Chromium and check what a reader would see.

Every page is opened once and checked in both palettes (light, then dark through the header's
toggle). A page fails on a console error or
uncaught exception, a failed request, a request to any host but the test server (the site
must work offline), an image that did not load or has no alt text, math that MathJax left
untypeset, raw TeX delimiters left in the text, or any serious or critical axe-core
violation. Axe's findings go to ``artifacts/a11y/``; with ``LSTM_COURSE_SCREENSHOTS=1`` a
full-page screenshot of every page in each palette goes to ``artifacts/screenshots/<palette>/``
(both ignored by git). The screenshots are for a person to look at, and they took 15 of the
test's 53 s (measured on the quiet 2-core machine), so a plain ``make test`` skips them.
"""

from __future__ import annotations

import collections
import json
import os
import re
from pathlib import Path

import pytest

from course.impl import REPO_ROOT
from site_browser import find_chromium

SCREENSHOTS = REPO_ROOT / "artifacts" / "screenshots"
#: Set to 1 to save a full-page screenshot of every page in each palette.
SCREENSHOTS_ENV = "LSTM_COURSE_SCREENSHOTS"
AXE_REPORTS = REPO_ROOT / "artifacts" / "a11y"
#: The browser's colour scheme -> the Material palette (data-md-color-scheme) it must select.
PALETTES = {"light": "default", "dark": "slate"}
#: axe-core impacts that fail the test (the others are recorded in the report).
AXE_BLOCKING = {"serious", "critical"}
#: What axe checks in each palette. The palettes change colours only, so the dark pass runs the
#: rules that read colours; every other rule gives the same answer in both and runs once (light).
#: (color-contrast is most of axe's time; this keeps the dark pass at about half the light one's.)
#: The theme's frame (header with the search dialog, navigation and table of contents, footer) is
#: the same template on every page: axe checks it on the home page, and the content elsewhere.
AXE_FRAME = {"exclude": [[".md-header"], [".md-sidebar"], [".md-footer"]]}
AXE_OPTIONS = {
    "light": {"resultTypes": ["violations"]},
    "dark": {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]},
             "resultTypes": ["violations"]},
}

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
      src: img.getAttribute('src'), alt: img.getAttribute('alt') || '', ok: img.complete && img.naturalWidth > 0})),
    scheme: document.body.getAttribute('data-md-color-scheme'),
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


#: Logged by the test itself after a page is checked: its arrival means the earlier messages arrived.
CONSOLE_MARK = "lstm-course browser test: console drained"


def _is_external(url: str, site_url: str) -> bool:
    """Whether a request leaves the test server (the site must work offline).

    Args:
        url: str, the requested URL.
        site_url: str, the test server's base URL.

    Returns:
        True for http(s) URLs on any other host.
    """
    return url.startswith(("http:", "https:")) and not url.startswith(site_url)


def _axe_problems(violations: list[dict]) -> list[str]:
    """The blocking axe violations (serious or critical impact), one line each.

    Args:
        violations: axe-core's ``violations`` list for one page.

    Returns:
        Lines naming the rule, its impact, how many elements and the first one.
    """
    return [f"axe {v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])} elements, first {v['nodes'][0]['target']})"
            for v in violations if v["impact"] in AXE_BLOCKING]


#: Injected after load so that a palette switch takes effect at once (Material animates some
#: colours): axe must read the dark palette's colours, not a frame of the transition.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"
SCHEME_JS = "() => document.body.getAttribute('data-md-color-scheme')"


def _switch_palette(page: object, palette: str) -> None:
    """Click the header's palette toggle, as a reader does, and wait until the palette is on.

    Args:
        page: a Playwright page of the site.
        palette: str, ``light`` or ``dark``.
    """
    page.get_by_title(f"Switch to the {palette} palette").click()
    page.wait_for_function(f"() => ({SCHEME_JS})() === {PALETTES[palette]!r}")


def test_every_page_renders_and_passes_axe(browser: object, built_site: Path, site_url: str) -> None:
    """Open every page, check what a reader sees, and run axe-core in both palettes.

    Each page opens once, in the light palette (the browser asks for a light colour scheme,
    which a first visit follows), and gets every check and every axe rule. Then the header's
    toggle switches it to the dark palette, where axe runs the colour rules
    (``AXE_OPTIONS``), and back before the next page. (Opening every page a second time in a
    dark context cost about 18 s for the same answers; a first visit in the dark is
    :func:`test_a_first_visit_follows_a_dark_system_setting`.) Any serious or critical axe
    violation fails the test; every violation, whatever its impact, goes to
    ``artifacts/a11y/axe-<palette>.json``.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    screenshots = os.environ.get(SCREENSHOTS_ENV) == "1"
    for palette in PALETTES:
        (SCREENSHOTS / palette).mkdir(parents=True, exist_ok=True)
    pages = _pages(built_site)
    assert len(pages) >= 16, pages
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    problems: dict[str, list[str]] = {}
    math_pages = []
    reports = {palette: {"palette": palette, "pages": {}, "impacts": collections.Counter()} for palette in PALETTES}
    for path in pages:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg, errors=errors: errors.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc, errors=errors: errors.append(f"uncaught: {exc}"))
        page.on("requestfailed", lambda req, errors=errors: errors.append(f"request failed: {req.url}"))
        page.on("request", lambda req, errors=errors: errors.append(f"request to another host: {req.url}")
                if _is_external(req.url, site_url) else None)
        response = page.goto(site_url + path, wait_until="load")
        if response is None or response.status != 200:
            errors.append(f"HTTP {response.status if response else 'no response'}")
        rendered = page.evaluate(PAGE_REPORT_JS)
        page.add_style_tag(content=NO_TRANSITIONS)
        errors += [f"MathJax did not typeset: {t!r}" for t in rendered["untypeset"]]
        errors += [f"MathJax error: {e}" for e in rendered["mathjaxErrors"]]
        errors += [f"image did not load: {i['src']}" for i in rendered["images"] if not i["ok"]]
        errors += [f"image without alt text: {i['src']}" for i in rendered["images"] if len(i["alt"].split()) < 4]
        errors += [f"raw TeX in the text: {m.group(0)!r}" for m in RAW_TEX.finditer(rendered["text"])][:5]
        if not rendered["mathjaxLoaded"]:
            errors.append("MathJax is not loaded")
        if "/notebooks/" in "/" + path and rendered["notebookMath"] == 0:
            errors.append("no typeset math in the notebook's markdown cells (mkdocs-jupyter#227)")
        if rendered["scheme"] != PALETTES["light"]:
            errors.append(f"palette {rendered['scheme']!r}, expected {PALETTES['light']!r}")
        if rendered["arithmatex"] or rendered["notebookMath"]:
            math_pages.append(path)
        frame = None if path == "" else AXE_FRAME
        name = path.strip("/").replace("/", "_") or "index"
        for palette in PALETTES:
            if palette != "light":
                _switch_palette(page, palette)
            violations = axe.run(page, context=frame, options=AXE_OPTIONS[palette]).response["violations"]
            errors += [f"{palette}: {problem}" for problem in _axe_problems(violations)]
            reports[palette]["pages"][path or "/"] = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
                                                      for v in violations]
            reports[palette]["impacts"].update(v["impact"] for v in violations)
            if screenshots:
                page.screenshot(path=str(SCREENSHOTS / palette / f"{name}.png"), full_page=True)
        _switch_palette(page, "light")  # the choice is remembered: the next page opens in light again
        # Wait for an event, not a time: console messages arrive in order, so once this page's own
        # marker has arrived, every message the page logged before it has arrived too.
        with page.expect_console_message(lambda msg: msg.text == CONSOLE_MARK):
            page.evaluate("mark => console.log(mark)", CONSOLE_MARK)
        if errors:
            problems[path or "/"] = errors
        page.close()
    context.close()
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    for palette, report in reports.items():
        (AXE_REPORTS / f"axe-{palette}.json").write_text(json.dumps(report, indent=1))
    assert not problems, "\n".join(f"{p}: {e}" for p, errs in problems.items() for e in errs)
    assert len(math_pages) >= 8, f"only these pages typeset math: {math_pages}"


def test_a_first_visit_follows_a_dark_system_setting(browser: object, site_url: str) -> None:
    """A reader whose system asks for dark gets the dark palette on a first visit, with no console error."""
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site_url + "gates/", wait_until="load")
    assert page.evaluate(SCHEME_JS) == PALETTES["dark"]
    with page.expect_console_message(lambda msg: msg.text == CONSOLE_MARK):
        page.evaluate("mark => console.log(mark)", CONSOLE_MARK)
    assert errors == []
    context.close()


def test_math_after_instant_navigation(browser: object, site_url: str) -> None:
    """Material's instant navigation swaps pages without a reload; the new page's math must be typeset."""
    page = browser.new_page()
    # Material intercepts only links it found in sitemap.xml, which it fetches after the load event:
    # a click before that fetch is answered follows the link the ordinary way (seen once under load).
    page.goto(site_url, wait_until="networkidle")
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


def test_axe_reports_what_it_should(browser: object) -> None:
    """The axe check can fail: a page with grey-on-white text, an unnamed dialog and an image
    without alt text gives blocking findings, and a clean page gives none."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>Bad</h1>'
                     '<p style="color:#bbb;background:#fff">grey on white</p>'
                     '<div role="dialog">unnamed dialog</div><img src="data:image/png;base64,">'
                     '</main></body></html>')
    problems = _axe_problems(Axe().run(page).response["violations"])
    found = {line.split()[2].rstrip(":") for line in problems}
    assert {"color-contrast", "aria-dialog-name", "image-alt"} <= found, problems
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><h1>Good</h1>'
                     '<p>Plain text.</p></main></body></html>')
    assert _axe_problems(Axe().run(page).response["violations"]) == []
    page.close()


def test_requests_to_other_hosts_are_caught() -> None:
    """Only the test server counts as local; a CDN, a font host or another port does not."""
    site = "http://127.0.0.1:8123/"
    assert not _is_external(site + "assets/x.js", site)
    assert not _is_external("data:text/javascript,", site)
    for url in ("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js", "https://fonts.googleapis.com/css",
                "http://127.0.0.1:9999/x.js"):
        assert _is_external(url, site), url
