// Loaded after require.js and before the widget manager (embed-amd.js).
(function () {
  // 1. The manager finds its own files (the icon fonts of its style sheet) through the
  // require.js path of its module "@jupyter-widgets/html-manager/dist/..."; by default that
  // path is relative to the page, where no such folder exists. Point it at the folder beside
  // this file.
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": here + "html-manager" } });

  // 2. The manager typesets widget labels with MathJax 2's MathJax.Hub.Queue whenever
  // window.MathJax exists, but the site loads MathJax 3, which has no Hub (and replaces its
  // configuration object with itself when it starts). Give every object stored in
  // window.MathJax a non-enumerable Hub whose Queue hands "Typeset" requests to MathJax 3's
  // typesetPromise, once MathJax 3 is there.
  function withHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !("Hub" in mathjax)) {
      var hub = {
        Queue: function () {
          for (var i = 0; i < arguments.length; i++) {
            var job = arguments[i];
            var mj = window.MathJax;
            if (Array.isArray(job) && job[0] === "Typeset" && mj && typeof mj.typesetPromise === "function") {
              mj.typesetPromise([job[2]]);
            }
          }
        },
      };
      Object.defineProperty(mathjax, "Hub", { value: hub, enumerable: false });
    }
    return mathjax;
  }
  var current = withHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = withHub(value);
    },
  });
})();
