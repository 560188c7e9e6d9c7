// The lecture decks' script (book/README.md, "The lecture decks").
//
// 1. Starts reveal.js on a 1280x720 slide (reveal scales it to the screen), with the speaker
//    view (key s) and no transition.
// 2. Fits every slide to the screen when it is shown: a figure is drawn as large as the room
//    left on its slide allows (keeping its aspect ratio, at most twice its size); a slide whose
//    content is taller or wider than the slide is shrunk (CSS zoom) until it fits, down to
//    MIN_ZOOM. scripts/lecture_deck.py packs slides by an estimate of their heights, so this
//    is the exception; the shrunk slide says so in data-fit. A slide tagged as scrolling on
//    purpose (class "scrolling") scrolls instead.
// 3. Fits again once MathJax has typeset the maths and the fonts have loaded.
(function () {
  "use strict";
  var MIN_ZOOM = 0.55;
  var MAX_UPSCALE = 2;

  function partsOf(slide) {
    var frame = slide && slide.querySelector(":scope > .frame");
    if (!frame) {
      return null;
    }
    return {
      body: frame.querySelector(".slide-body"),
      content: frame.querySelector(".slide-content"),
    };
  }

  function sizeFigure(image) {
    var box = image.parentElement;
    var width = Number(image.getAttribute("data-width")) || image.naturalWidth;
    var height = Number(image.getAttribute("data-height")) || image.naturalHeight;
    if (!width || !height || !box.clientWidth || !box.clientHeight) {
      return;
    }
    var scale = Math.min(box.clientWidth / width, box.clientHeight / height, MAX_UPSCALE);
    image.style.width = Math.floor(width * scale) + "px";
    image.style.height = Math.floor(height * scale) + "px";
  }

  function overflows(body) {
    return body.scrollHeight > body.clientHeight + 1 || body.scrollWidth > body.clientWidth + 1;
  }

  function fit(slide) {
    var parts = partsOf(slide);
    if (!parts || !parts.body || !parts.content) {
      return;
    }
    parts.content.style.zoom = "";
    var images = parts.content.querySelectorAll("img.figure");
    for (var i = 0; i < images.length; i++) {
      sizeFigure(images[i]);
    }
    if (slide.classList.contains("scrolling")) {
      return;
    }
    var zoom = 1;
    for (var step = 0; step < 10 && zoom > MIN_ZOOM && overflows(parts.body); step++) {
      var ratio = Math.min(
        parts.body.clientHeight / parts.body.scrollHeight,
        parts.body.clientWidth / parts.body.scrollWidth,
        0.98
      );
      zoom = Math.max(MIN_ZOOM, zoom * ratio);
      parts.content.style.zoom = String(zoom);
    }
    if (zoom < 1) {
      slide.setAttribute("data-fit", zoom.toFixed(2));
    } else {
      slide.removeAttribute("data-fit");
    }
  }

  function fitCurrent() {
    fit(window.Reveal.getCurrentSlide());
  }

  window.courseDeck = { fit: fit, fitCurrent: fitCurrent };

  window.Reveal.initialize({
    width: 1280,
    height: 720,
    margin: 0.02,
    minScale: 0.2,
    maxScale: 2.0,
    center: false,
    hash: true,
    controls: false, // keys and clickers move; the arrows would sit on the slide's last lines
    progress: true,
    slideNumber: "c/t",
    transition: "none",
    backgroundTransition: "none",
    plugins: [window.RevealNotes],
  }).then(fitCurrent);
  window.Reveal.on("slidechanged", fitCurrent);
  window.Reveal.on("resize", fitCurrent);

  window.addEventListener("load", function () {
    var mathjax = window.MathJax;
    if (mathjax && mathjax.startup && mathjax.startup.promise) {
      mathjax.startup.promise.then(fitCurrent);
    }
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(fitCurrent);
    }
  });
})();
