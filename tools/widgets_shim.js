// Loaded before RequireJS and the ipywidgets embed manager, and only on pages that
// hold a widget (myst-nb's nb_ipywidgets_js in _config.yml). Copied next to the
// vendored npm packages, into _static/offline/, by tools/offline_assets.py.
(function () {
  "use strict";
  var here = document.currentScript.src;

  // 1. embed-amd.js asks RequireJS for the module
  //    "@jupyter-widgets/html-manager/dist/libembed-amd", which RequireJS would look
  //    for next to the *page*, and webpack then fetches the icon fonts from there.
  //    Map that path to the vendored copy. RequireJS reads a global `require`
  //    object defined before it loads as its configuration.
  window.require = {
    paths: {
      "@jupyter-widgets/html-manager/dist": new URL("@jupyter-widgets/html-manager", here).href,
    },
  };

  // 2. It typesets widget labels with the MathJax 2 API, MathJax.Hub.Queue(...),
  //    which throws under MathJax 3, the version the book loads. Translate that one
  //    call. Deferred scripts (MathJax) have run by DOMContentLoaded; the embed
  //    manager renders later, on window "load".
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup) {
      return;
    }
    mj.Hub = {
      Queue: function (job) {
        var element = job[2];
        return mj.startup.promise.then(function () {
          return mj.typesetPromise([element]);
        });
      },
    };
  });
})();
