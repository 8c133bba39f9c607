// Draws the dashboard figures. The figures are built on the server from already
// suppressed cells and embedded with json_script; this file only hands them to Plotly.
//
// Content Security Policy: scripts and styles come from our own origin only, with no
// 'unsafe-inline' at all. Plotly.js would normally inject its global CSS as an inline
// <style> element; the dashboard template instead links static/css/plotly-csp.css with
// id="plotly.js-style-global" and class="no-inline-styles", which Plotly (v3+) takes as
// "the rules are already there" and skips the injection. The mode bar is switched off, so
// the per-plot style rules that Plotly adds for it are never needed. Everything else
// Plotly styles through the CSSOM (element.style), which CSP does not restrict. This keeps
// style-src 'self' without a nonce: a nonce would have to reach Plotly's internal
// createElement("style") calls, which Plotly offers no option for.
"use strict";

(function () {
  const config = {
    displayModeBar: false,
    responsive: true,
    scrollZoom: false,
    doubleClick: false,
    showTips: false,
  };

  function draw(element) {
    const source = document.getElementById(element.dataset.figure);
    if (!source || !window.Plotly) {
      return;
    }
    const figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      element.classList.add("is-drawn");
    });
  }

  document.querySelectorAll("[data-figure]").forEach(draw);

  // On paper: unfold the tables in <details>, and fit the charts to an A4 page's
  // printable width (about 680 CSS px) instead of the screen's.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (details) {
      details.open = true;
    });
    document.querySelectorAll(".is-drawn").forEach(function (element) {
      window.Plotly.relayout(element, { width: Math.min(element.clientWidth, 680) });
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll(".is-drawn").forEach(function (element) {
      window.Plotly.relayout(element, { width: null, autosize: true });
    });
  });
})();
