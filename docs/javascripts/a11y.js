// Accessibility fixes that need the rendered page (axe-core checks them: tests/site/test_site_a11y.py).
// Runs on the first load and after every instant navigation (Material's document$).

/**
 * Make every region that scrolls sideways reachable by keyboard (axe: scrollable-region-focusable).
 * Wide tables, long notebook code lines and wide display math scroll; a keyboard user can only
 * scroll them once they can take focus, and a screen reader then announces what they hold.
 * @param {ParentNode} root - the part of the page to fix.
 */
function focusScrollables(root) {
  const selector = ".md-typeset__scrollwrap, .highlight-ipynb, .jp-OutputArea-output pre, div.arithmatex";
  let count = 0;
  for (const el of root.querySelectorAll(selector)) {
    if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      const label = el.matches(".md-typeset__scrollwrap") ? "Table" : el.matches("div.arithmatex") ? "Equation" : "Code";
      count += 1; // each region needs its own name (axe: landmark-unique)
      el.setAttribute("aria-label", `${label} ${count}, scrolls sideways`);
    }
  }
}

/**
 * Give each code block's action bar (Material's <nav class="md-code__nav">) its own name, so that
 * several code blocks on a page do not make several identical navigation landmarks
 * (axe: landmark-unique).
 * @param {ParentNode} root - the part of the page to fix.
 */
function nameCodeNavs(root) {
  root.querySelectorAll("nav.md-code__nav").forEach((nav, index) => {
    nav.setAttribute("aria-label", `Code block ${index + 1} actions`);
  });
}

/** Apply every fix to the current page. */
function fixPage() {
  focusScrollables(document);
  nameCodeNavs(document);
  // Typeset math can be wider than its text was: look again once MathJax is done (typesetPromise
  // queues its work on startup.promise, so this runs after this page's typesetting).
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => focusScrollables(document));
  }
}

if (typeof document$ !== "undefined") {
  document$.subscribe(fixPage);
} else {
  document.addEventListener("DOMContentLoaded", fixPage);
}
