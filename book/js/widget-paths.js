// Loaded after require.js and before the widget manager (embed-amd.js). The manager finds
// its own files (the icon fonts of its style sheet) through the require.js path of its
// module "@jupyter-widgets/html-manager/dist/..."; by default that path is relative to the
// page, where no such folder exists. Point it at the folder beside this file.
(function () {
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": here + "html-manager" } });
})();
