// Wide blocks on the site show that they scroll (book/README.md, "Wide outputs").
//
// A block whose content is wider than the 688 px column (a printed table, a per-layer HTML
// table, a long formula, a line of code) scrolls sideways inside the column. Its scrollbar sits
// at the block's bottom edge, often a screen or more below the cut, so on its own it is no cue.
// This script gives every such block the class "course-scrolls"; book/css/site.css then fades
// its right edge (and its left edge once scrolled), so the cut is visibly a cut wherever the
// reader looks, and caps its height so that its scrollbar is on the screen with it.
// "course-at-start" / "course-at-end" follow the scroll position: a fade shows only on a side
// where more content is hidden. Blocks are re-measured after MathJax typesets, after saved
// widgets render and when the window is resized.
(function () {
  "use strict";
  var SELECTOR = [
    "pre",
    "div.output",
    "div.cell_output",
    "mjx-container",
    "table",
    ".pst-scrollable-table-container",
    ".table-wrapper",
    ".jupyter-widgets",
    ".jp-OutputArea-output",
  ].join(", ");

  function scrollsSideways(element) {
    var overflow = window.getComputedStyle(element).overflowX;
    return (overflow === "auto" || overflow === "scroll") && element.scrollWidth > element.clientWidth + 1;
  }

  function follow(element) {
    var hidden = element.scrollWidth - element.clientWidth;
    element.classList.toggle("course-at-start", element.scrollLeft <= 1);
    element.classList.toggle("course-at-end", element.scrollLeft >= hidden - 1);
    var below = element.scrollHeight - element.clientHeight;
    element.classList.toggle("course-at-bottom", below <= 1 || element.scrollTop >= below - 1);
  }

  function onScroll(event) {
    follow(event.currentTarget);
  }

  function mark(element) {
    var wide = scrollsSideways(element);
    element.classList.toggle("course-scrolls", wide);
    if (wide) {
      if (!element.hasAttribute("data-course-cue")) {
        element.setAttribute("data-course-cue", "");
        element.addEventListener("scroll", onScroll, { passive: true });
        if (!element.hasAttribute("tabindex")) {
          element.setAttribute("tabindex", "0"); // keyboard users can scroll it too
        }
      }
      follow(element);
    }
  }

  function scan() {
    var root = document.querySelector("article") || document.body;
    var candidates = root.querySelectorAll(SELECTOR);
    for (var i = 0; i < candidates.length; i++) {
      mark(candidates[i]);
    }
  }

  var pending = null;
  function later(delay) {
    window.clearTimeout(pending);
    pending = window.setTimeout(scan, delay);
  }

  window.courseScrollCues = { scan: scan };
  document.addEventListener("DOMContentLoaded", scan);
  window.addEventListener("load", function () {
    scan();
    var mathjax = window.MathJax;
    if (mathjax && mathjax.startup && mathjax.startup.promise) {
      mathjax.startup.promise.then(scan);
    }
    later(1500); // saved widgets render after load
  });
  window.addEventListener("resize", function () {
    later(150);
  });
  if (window.MutationObserver) {
    // widget views and MathJax insert their nodes after load
    new MutationObserver(function () {
      later(300);
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
})();
