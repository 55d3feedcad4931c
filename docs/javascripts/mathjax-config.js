// MathJax 3 for pymdownx.arithmatex (generic) and for notebook cells rendered by mkdocs-jupyter.
// Loaded before the vendored MathJax (docs/javascripts/vendor/mathjax, MathJax 3.2.2, Apache-2.0),
// so the site needs no network.
window.MathJax = {
  tex: {
    // arithmatex emits \( \) and \[ \]; notebook markdown keeps $ and $$.
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // Typeset only math that arithmatex marked and notebook markdown cells; `$` in prose stays text.
    // ".+" ignores every element with a class (Material's <html> has one), and so everything below
    // it, until a processHtmlClass element switches processing back on for its whole subtree.
    // (".*|" would also ignore the class-less <p> inside a notebook cell: mkdocs-jupyter#227.)
    ignoreHtmlClass: ".+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-MarkdownOutput",
  },
};

// Material's instant navigation swaps the page without reloading it: typeset the new content.
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (!window.MathJax || !MathJax.startup || !MathJax.typesetPromise) return; // first load: MathJax typesets itself
    MathJax.startup.output.clearCache?.(); // CHTML only
    MathJax.typesetClear();
    MathJax.texReset();
    MathJax.typesetPromise();
  });
}
