// Draws the book's static charts (lossbook.interactive.embed.fragment) with Vega.
//
// Each chart is a <div class="lossbook-chart"> holding, as JSON, two compiled Vega specs
// ("wide": panels side by side; "narrow": stacked, for phones) and the data once. This
// script is copied into _static/offline/ by tools/offline_assets.py, which adds it
// only to pages that hold a chart; it loads Vega once, from beside itself (never from
// the network), draws each chart in the widest layout that fits its column, redraws
// when the column changes between the two (keeping the controls' values), and keeps
// each view in element.vegaView and window.lossbookCharts (for tools/check_sliders.py).
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var charts = (window.lossbookCharts = window.lossbookCharts || []);

  var CSS =
    ".lossbook-chart{background:#fff;color:#222;border-radius:4px;padding:6px 4px;margin:1em 0;" +
    "max-width:100%;overflow-x:auto;box-sizing:border-box}" +
    ".lossbook-chart canvas,.lossbook-chart svg{max-width:100%;height:auto}" +
    ".lossbook-chart-controls{display:flex;flex-wrap:wrap;gap:2px 18px;" +
    "font:13px/1.6 system-ui,sans-serif;margin:4px 6px}" +
    ".lossbook-chart-controls .vega-bind{display:flex;align-items:center;max-width:100%}" +
    ".lossbook-chart-controls .vega-bind label{display:flex;align-items:center;flex-wrap:wrap;gap:2px 6px}" +
    ".lossbook-chart-controls input[type=range]{width:140px;max-width:45vw}" +
    ".lossbook-chart-controls select{max-width:100%;color:#222;background:#fff}";

  function style() {
    if (document.getElementById("lossbook-charts-css")) return;
    var el = document.createElement("style");
    el.id = "lossbook-charts-css";
    el.textContent = CSS;
    document.head.appendChild(el);
  }

  // Vega's browser build is a UMD bundle: with an AMD loader on the page (RequireJS,
  // which the ipywidgets manager brings) it would register as a module instead of
  // setting window.vega, so the loader is hidden while it runs.
  var loading = null;
  function loadVega() {
    if (window.vega) return Promise.resolve(window.vega);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var define = window.define;
      window.define = undefined;
      var s = document.createElement("script");
      s.src = new URL("vega/vega.min.js", here).href;
      s.onload = function () { window.define = define; resolve(window.vega); };
      s.onerror = function () { window.define = define; reject(new Error("could not load " + s.src)); };
      document.head.appendChild(s);
    });
    return loading;
  }

  // The data as Vega wants them: "grid" from columns and rows, "values" from texts.
  function tables(data) {
    var out = {};
    Object.keys(data).forEach(function (name) {
      var d = data[name];
      if (name === "values") {
        out[name] = d.map(function (t, i) { return { i: i, t: t }; });
      } else {
        out[name] = d.rows.map(function (r) {
          var o = {};
          d.columns.forEach(function (c, j) { if (r[j] !== null) o[c] = r[j]; });
          return o;
        });
      }
    });
    return out;
  }

  function withData(spec, data) {
    var s = Object.assign({}, spec);
    s.data = (spec.data || []).map(function (d) {
      return data[d.name] ? Object.assign({}, d, { values: data[d.name] }) : d;
    });
    return s;
  }

  function boundValues(view, spec) {
    var out = {};
    (spec.signals || []).forEach(function (s) { if (s.bind) out[s.name] = view.signal(s.name); });
    return out;
  }

  function draw(chart, layout, values) {
    var vega = window.vega;
    if (chart.view) chart.view.finalize();
    chart.plot.innerHTML = "";
    chart.controls.innerHTML = "";
    var spec = chart.specs[layout];
    var view = new vega.View(vega.parse(withData(spec, chart.data)), {
      renderer: "canvas", container: chart.plot, bind: chart.controls, hover: true
    });
    Object.keys(values || {}).forEach(function (k) {
      try { view.signal(k, values[k]); } catch (e) { /* a signal of the other layout only */ }
    });
    chart.view = view;
    chart.layout = layout;
    chart.el.vegaView = view;
    return view.runAsync().then(function () { hideUnused(chart); });
  }

  // A control that belongs to some series options (e.g. Huber's delta) shows only
  // while one of them is checked, as in the live panel.
  function hideUnused(chart) {
    var view = chart.view;
    Object.keys(chart.shownBy).forEach(function (param) {
      var input = chart.controls.querySelector('[name="' + param + '"]');
      var box = input && input.closest(".vega-bind");
      if (!box) return;
      var shows = chart.shownBy[param];
      var update = function () {
        box.style.display = shows.some(function (s) { return view.signal(s); }) ? "" : "none";
      };
      shows.forEach(function (s) { view.addSignalListener(s, update); });
      update();
    });
  }

  // The drawing's own width (CSS may shrink the canvas to the column).
  function natural(chart) {
    var c = chart.plot.querySelector("canvas");
    return c ? parseFloat(c.style.width) || c.width : chart.plot.scrollWidth;
  }

  // Wide if it fits the column, else narrow; redraw only when that choice changes.
  function fit(chart) {
    var cs = getComputedStyle(chart.el);
    var room = chart.el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    var want = chart.wideWidth && chart.wideWidth <= room ? "wide" : "narrow";
    if (!chart.wideWidth) want = "wide";
    if (want === chart.layout) return Promise.resolve();
    var values = chart.view ? boundValues(chart.view, chart.specs[chart.layout]) : null;
    return draw(chart, want, values).then(function () {
      if (want === "wide") {
        chart.wideWidth = natural(chart);
        if (chart.wideWidth > room) return draw(chart, "narrow", boundValues(chart.view, chart.specs.wide));
      }
    });
  }

  function setup(el) {
    if (el.dataset.lossbookState) return;
    el.dataset.lossbookState = "loading";
    var spec = JSON.parse(el.querySelector("script.lossbook-chart-spec").textContent);
    var fallback = el.querySelector(".lossbook-chart-fallback");
    if (fallback) fallback.remove();
    var chart = { el: el, specs: { wide: spec.wide, narrow: spec.narrow }, data: tables(spec.data),
                  shownBy: spec.shown_by || {} };
    chart.plot = document.createElement("div");
    chart.plot.className = "lossbook-chart-view";
    chart.controls = document.createElement("div");
    chart.controls.className = "lossbook-chart-controls";
    el.appendChild(chart.plot);
    el.appendChild(chart.controls);
    charts.push(chart);
    return fit(chart);
  }

  // One chart's failure is reported on it (data-lossbook-state="error") and in the
  // console; the other charts of the page are drawn all the same.
  function setupSafely(el) {
    return Promise.resolve().then(function () { return setup(el); }).then(
      function () { el.dataset.lossbookState = "drawn"; },
      function (e) { el.dataset.lossbookState = "error"; console.error("lossbook chart:", e); }
    );
  }

  var timer = null;
  function onResize() {
    clearTimeout(timer);
    timer = setTimeout(function () { charts.forEach(function (c) { fit(c); }); }, 200);
  }

  function start() {
    var els = document.querySelectorAll(".lossbook-chart");
    if (!els.length) return;
    style();
    loadVega().then(function () {
      return Promise.all(Array.prototype.map.call(els, setupSafely));
    }).then(function () { window.addEventListener("resize", onResize); },
            function (e) { console.error("lossbook charts:", e); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
