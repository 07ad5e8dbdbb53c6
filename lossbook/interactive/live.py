r"""A figure's live panel: ipywidgets controls over a matplotlib figure, for notebooks.

:class:`LivePanel` makes one widget per control (a slider, a dropdown, a checkbox; a
checkbox per series option), one matplotlib figure (Agg, never pyplot, so nothing is
shown twice) with an axes per panel and an artist per mark (and series option), and
an ``ipywidgets.Image`` that shows it.  A move of a control runs :meth:`update`:

1. *compute*: the figure's compute function for each checked option, at the state
   with every control that does not matter there at its default (the same state the
   static grid holds); results are cached, so moving Huber's delta recomputes Huber
   only;
2. *draw*: the artists get their new data in place, the axes their ranges, and only
   the artists that move are repainted over the kept background (blitting), then
   sent as PNG.

``timings`` holds both parts, in milliseconds.  A control that does not matter (its
``when`` fails) is greyed out, and hidden when it belongs to unchecked series options.

Panels can be driven without a browser: set a control's ``value`` (the callback runs
as on a slider move) or call :meth:`LivePanel.update`.
"""

from __future__ import annotations

import io
import math
import statistics
import time
from collections import OrderedDict

import numpy as np

from .embedding import placeholder, widget_bundle
from .spec import Band, Figure, Heatmap, Line, Menu, Point, Rule, Slider, Text, holds, state_key

__all__ = ["LivePanel", "Blitter", "benchmark", "nice_limits", "nice_symlog_limits"]

#: matplotlib markers of :class:`.spec.Point` shapes.
MARKERS = {"circle": "o", "square": "s", "diamond": "D", "cross": "x", "triangle-up": "^"}
_CACHE = 256


def _new_figure(width: float, height: float, nrows: int, ncols: int):
    """A figure on the Agg canvas, outside pyplot's list of open figures."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    fig = MplFigure(figsize=(width, height), dpi=90)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _encode_png(buf) -> bytes:
    """RGBA pixels as PNG bytes (fast zlib level: the picture is sent, not stored)."""
    from PIL import Image

    img = Image.frombuffer("RGBA", (buf.shape[1], buf.shape[0]), buf, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    img.convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


class Blitter:
    """Redraw only what moves: the standard matplotlib blitting, on the Agg canvas.

    The ``artists`` that change on every move are marked animated, so a full
    ``canvas.draw()`` paints everything else (axes, ticks, labels, a heatmap); that
    picture is kept by ``key`` (the axis ranges and whatever else the background
    shows), and a move with a known key restores it and paints the animated artists
    on top.  Text layout dominates a full draw (tens of milliseconds).
    """

    def __init__(self, fig, artists, keep: int = 8):
        self.fig = fig
        self.artists = list(artists)
        for a in self.artists:
            a.set_animated(True)
        self._backgrounds: OrderedDict = OrderedDict()
        self._keep = keep
        self.full_draws = 0

    def png(self, key) -> bytes:
        canvas = self.fig.canvas
        background = self._backgrounds.pop(key, None)
        if background is None:
            canvas.draw()
            background = canvas.copy_from_bbox(self.fig.bbox)
            self.full_draws += 1
            if len(self._backgrounds) >= self._keep:
                self._backgrounds.popitem(last=False)
        else:
            canvas.restore_region(background)
        self._backgrounds[key] = background  # most recently used last
        for a in self.artists:
            if a.get_visible():
                a.axes.draw_artist(a)
        return _encode_png(canvas.buffer_rgba())


def nice_limits(lo: float, hi: float):
    """Round axis limits around ``[lo, hi]`` (so that they change rarely as data move).

    Example:
        >>> nice_limits(0.13, 3.7)
        (0.0, 4.0)
    """
    from matplotlib.ticker import MaxNLocator

    if not (np.isfinite(lo) and np.isfinite(hi)):
        return (-1.0, 1.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    ticks = MaxNLocator(5).tick_values(lo, hi)  # round ticks that cover [lo, hi]
    return (float(ticks[ticks <= lo][-1]), float(ticks[ticks >= hi][0]))


def _symlog_bound(v: float, up: bool) -> float:
    if abs(v) <= 1.0:
        if up:
            return 1.0 if v > 0 else 0.0
        return 0.0 if v >= 0 else -1.0
    if (v > 0) == up:
        return math.copysign(10.0 ** math.ceil(math.log10(abs(v)) - 1e-12), v)
    return math.copysign(10.0 ** math.floor(math.log10(abs(v)) + 1e-12), v)


def nice_symlog_limits(lo: float, hi: float):
    """Round limits for a symlog axis: powers of ten beyond 1, else 0 or 1.

    Example:
        >>> nice_symlog_limits(0.02, 350.0)
        (0.0, 1000.0)
    """
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return (0.0, 1.0)
    a, b = _symlog_bound(lo, False), _symlog_bound(hi, True)
    return (a, a + 1.0) if a == b else (a, b)


def _arr(v) -> np.ndarray:
    if v is None:
        return np.zeros(0)
    return np.atleast_1d(np.asarray(v, dtype=np.float64))


def _arrays(out: dict, *names) -> list:
    """Outputs as arrays of one length: a single number goes with every item of an array
    (as on the static page, where it is copied to each item)."""
    arrays = [_arr(out[n]) for n in names]
    if any(a.size == 0 for a in arrays):
        return [np.zeros(0) for _ in arrays]
    return [np.array(a) for a in np.broadcast_arrays(*arrays)]


# =========================================================================== artists
def _make_artist(ax, mark, color, dash):
    """The matplotlib artist of one mark (and series option)."""
    c = mark.color or color
    if isinstance(mark, Line):
        return ax.plot([], [], color=c, linestyle=dash, lw=mark.width, marker="o" if mark.points else None,
                       ms=3)[0]
    if isinstance(mark, Point):
        kw = {"mfc": (mark.fill or c) if mark.filled else "none", "mec": c if mark.fill is None else (mark.color or "black")}
        return ax.plot([], [], linestyle="none", marker=MARKERS[mark.shape], ms=max(math.sqrt(mark.size) * 0.8, 2),
                       alpha=mark.opacity, mew=2.0 if mark.shape == "cross" else 1.0, clip_on=True, **kw)[0]
    if isinstance(mark, Rule):
        return ax.plot([], [], color=c, linestyle=dash, lw=mark.width)[0]
    if isinstance(mark, Band):
        from matplotlib.collections import PolyCollection

        return ax.add_collection(PolyCollection([], facecolor=c, alpha=mark.opacity, edgecolor="none"))
    if isinstance(mark, Text):
        return ax.text(0.02, 0.97, "", transform=ax.transAxes if mark.x is None else ax.transData,
                       va="top", ha="left", fontsize=mark.size * 0.8, color=c)
    return ax.imshow(np.zeros((2, 2)), origin="lower", cmap=mark.scheme.capitalize() + ("_r" if mark.reverse else ""),
                     alpha=mark.opacity, aspect="auto", interpolation="nearest", vmin=0, vmax=mark.levels - 1)


def _set_data(artist, mark, out, rank: int) -> list:
    """Give ``artist`` the outputs ``out``; return the (x, y) it draws (for the axis ranges)."""
    if isinstance(mark, (Line, Point)):
        x, y = _arrays(out, mark.x, mark.y)
        if isinstance(mark, Point):
            ok = np.isfinite(x) & np.isfinite(y)
            x, y = x[ok], y[ok]
        artist.set_data(x, y)
        return [(x, y)]
    if isinstance(mark, Rule):
        x, y, x2, y2 = _arrays(out, mark.x, mark.y, mark.x2, mark.y2)
        n = len(x)
        xs = np.column_stack([x, x2, np.full(n, np.nan)]).ravel()
        ys = np.column_stack([y, y2, np.full(n, np.nan)]).ravel()
        artist.set_data(xs, ys)
        return [(xs, ys)]
    if isinstance(mark, Band):
        x, y, y2 = _arrays(out, mark.x, mark.y, mark.y2)
        artist.set_verts([np.column_stack([np.concatenate([x, x[::-1]]), np.concatenate([y, y2[::-1]])])])
        return [(x, y), (x, y2)]
    if isinstance(mark, Text):
        artist.set_text("" if out[mark.text] is None else str(out[mark.text]))
        if mark.x is None:
            artist.set_position((0.02, 0.97 - 0.07 * rank))
            return []
        artist.set_position((float(out[mark.x]), float(out[mark.y])))
        return [(_arr(out[mark.x]), _arr(out[mark.y]))]
    z = np.asarray(out[mark.z])
    x0, x1, y0, y1 = (float(v) for v in out[mark.extent])
    artist.set_data(z)
    artist.set_extent((x0, x1, y0, y1))
    return [(np.array([x0, x1]), np.array([y0, y1]))]


# =========================================================================== the panel
def _widget(c, value):
    import ipywidgets as w

    kw = {"description": c.text, "style": {"description_width": "initial"}}
    if isinstance(c, Slider):
        lo, hi, step = c.live_range()
        lay = w.Layout(width="330px")
        if c.scale == "log":
            return w.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=step, readout_format=c.fmt,
                                    layout=lay, **kw)
        if c.integer:
            return w.IntSlider(value=int(value), min=int(lo), max=int(hi), step=max(1, int(round(step))),
                               layout=lay, **kw)
        return w.FloatSlider(value=value, min=lo, max=hi, step=step, readout_format=c.fmt, layout=lay, **kw)
    if isinstance(c, Menu):
        return w.Dropdown(options=list(zip(c.option_labels(live=True), c.live_options())), value=value, **kw)
    return w.Checkbox(value=bool(value), indent=False, layout=w.Layout(width="auto"), **kw)


def _check_start(fig: Figure, start: dict) -> dict:
    known = {c.name for c in fig.controls} | ({fig.series.name} if fig.series else set())
    bad = sorted(set(start) - known)
    if bad:
        raise ValueError(f"{fig.name}: no control named {', '.join(bad)}; the controls are {', '.join(sorted(known))}")
    for c in fig.controls:
        if c.name not in start:
            continue
        v = start[c.name]
        if isinstance(c, Slider):
            lo, hi, _ = c.live_range()
            pos = math.log10(v) if c.scale == "log" and v > 0 else v
            if not (isinstance(v, (int, float)) and lo - 1e-9 <= pos <= hi + 1e-9):
                raise ValueError(f"{fig.name}: {c.name} must be in the live range of its slider, got {v!r}")
        elif isinstance(c, Menu) and v not in c.live_options():
            raise ValueError(f"{fig.name}: {c.name} must be one of {', '.join(map(str, c.live_options()))}, "
                             f"got {v!r}")
    if fig.series and fig.series.name in start:
        bad = [o for o in start[fig.series.name] if o not in fig.series.options]
        if bad:
            raise ValueError(f"{fig.name}: {fig.series.name} must be one of {', '.join(fig.series.options)}, "
                             f"got {bad[0]!r}")
    return start


class LivePanel:
    """The live panel of a :class:`.spec.Figure` (make it with ``figure.live(**start)``).

    Attributes:
        figure: the figure.
        widget: the ``ipywidgets.VBox`` (the panel displays as it, with a page placeholder).
        controls: the control widgets, by control name.
        series_boxes: a ``Checkbox`` per series option (empty without series).
        message: an ``ipywidgets.HTML`` line per checked option (the ``message`` output).
        image: the ``ipywidgets.Image`` that shows the figure.
        fig: the matplotlib figure; ``axes`` its axes, one per panel.
        results: the last outputs, by series option (``None`` without series).
        timings: milliseconds of the last update: ``compute`` and ``draw``.
    """

    def __init__(self, figure: Figure, **start):
        import ipywidgets as w

        self.figure = fig = figure
        start = _check_start(fig, start)
        self.controls = {c.name: _widget(c, start.get(c.name, c.default)) for c in fig.controls}
        checked = tuple(start.get(fig.series.name, fig.series.default)) if fig.series else ()
        self.series_boxes = {} if fig.series is None else {
            o: w.Checkbox(value=o in checked, description=lab, indent=False, layout=w.Layout(width="auto"))
            for o, lab in zip(fig.series.options, fig.series.option_labels())}
        self.message = w.HTML()
        self.image = w.Image(format="png")
        self.timings = {"compute": float("nan"), "draw": float("nan")}
        self.results: dict = {}
        self._cache: OrderedDict = OrderedDict()
        self._styles = fig.series.style() if fig.series else {}
        self._build_figure()
        parts = []
        if self.series_boxes:
            parts.append(w.HBox(list(self.series_boxes.values()), layout=w.Layout(flex_flow="row wrap")))
        parts.append(w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap")))
        self.widget = w.VBox(parts + [self.message, self.image])
        for ctl in [*self.series_boxes.values(), *self.controls.values()]:
            ctl.observe(self._on_change, names="value")
        self.update()

    # ------------------------------------------------------------------ display
    @property
    def model_id(self) -> str:
        """The widget model's id (the page placeholder names it)."""
        return self.widget.model_id

    def _repr_mimebundle_(self, include=None, exclude=None):
        return widget_bundle(self.widget, placeholder(self.model_id))

    # ------------------------------------------------------------------ setup
    def _build_figure(self):
        fig = self.figure
        ncols = max(len(r) for r in fig.rows)
        size = fig.figsize or (4.1 * ncols, 3.7 * len(fig.rows))
        self.fig, grid = _new_figure(*size, len(fig.rows), ncols)
        self.axes = [None] * len(fig.panels)
        for j, row in enumerate(fig.rows):
            for k in range(ncols):
                if k < len(row):
                    self.axes[row[k]] = grid[j][k]
                else:
                    grid[j][k].set_visible(False)
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.3, hspace=0.45)
        self._artists: dict = {}
        animated = []
        for pi, (panel, ax) in enumerate(zip(fig.panels, self.axes)):
            self._style_axes(panel, ax)
            for mi, mark in enumerate(panel.marks):
                for o in self._options(mark):
                    color, dash = self._styles.get(o, ("#222222", "-"))
                    art = _make_artist(ax, mark, color, dash)
                    self._artists[(pi, mi, o)] = art
                    if not isinstance(mark, Heatmap):
                        animated.append(art)
        self._blitter = Blitter(self.fig, animated)

    def _options(self, mark):
        return (None,) if mark.shared or self.figure.series is None else self.figure.series.options

    @staticmethod
    def _style_axes(panel, ax):
        ax.set_title(panel.title, fontsize=11)
        ax.set_xlabel(panel.xlabel)
        ax.set_ylabel(panel.ylabel)
        for axis, scale in (("x", panel.xscale), ("y", panel.yscale)):
            kw = {"linthresh": 1.0} if scale == "symlog" else {}
            getattr(ax, f"set_{axis}scale")(scale, **kw)
        ax.grid(True, alpha=0.3)

    # ------------------------------------------------------------------ state
    def state(self) -> dict:
        """The controls' values by name, and the checked series options."""
        out = {k: v.value for k, v in self.controls.items()}
        if self.figure.series:
            out[self.figure.series.name] = self.selected()
        return out

    def selected(self) -> list:
        """The checked series options (``[None]`` for a figure without series)."""
        if self.figure.series is None:
            return [None]
        return [o for o, box in self.series_boxes.items() if box.value]

    def artist(self, name: str, option=None):
        """The matplotlib artist of the mark named ``name`` (for series ``option``)."""
        for (pi, mi, o), art in self._artists.items():
            if self.figure.panels[pi].marks[mi].name == name and o == option:
                return art
        raise KeyError(f"{self.figure.name}: no mark named {name!r} for {option!r}")

    def _on_change(self, change):
        self.update()

    def _result(self, option, values: dict) -> dict:
        state = self.figure.canonical(values, option)
        key = (option, tuple(state_key(state[c.name]) for c in self.figure.controls))
        if key in self._cache:
            self._cache.move_to_end(key)
        else:
            if len(self._cache) >= _CACHE:
                self._cache.popitem(last=False)
            self._cache[key] = self.figure.call(state, option)
        return self._cache[key]

    # ------------------------------------------------------------------ the callback
    def update(self) -> None:
        """Recompute from the controls and redraw (the callback of every control)."""
        fig = self.figure
        values = {k: v.value for k, v in self.controls.items()}
        selected = self.selected()
        self._show_controls(values, selected)
        t0 = time.perf_counter()
        results = {o: self._result(o, values) for o in selected}
        shared = results[selected[0]] if selected else self._result(fig.series_options()[0], values)
        t1 = time.perf_counter()
        drawn = {pi: [] for pi in range(len(fig.panels))}
        for (pi, mi, o), art in self._artists.items():
            mark = fig.panels[pi].marks[mi]
            out = shared if o is None else results.get(o)
            art.set_visible(out is not None)
            if out is not None:
                rank = selected.index(o) if o in selected else 0
                drawn[pi] += _set_data(art, mark, out, rank)
        limits = tuple(self._limits(pi, drawn[pi], results, shared) for pi in range(len(fig.panels)))
        legend = self._legend(selected)
        self.message.value = self._message(results, selected)
        self.image.value = self._blitter.png((limits, tuple(selected), legend, self._background_key(shared)))
        t2 = time.perf_counter()
        self.results = results if fig.series else {None: results[None]}
        self.timings = {"compute": 1e3 * (t1 - t0), "draw": 1e3 * (t2 - t1)}

    def _show_controls(self, values, selected):
        """Grey out a control that does not matter; hide one that belongs to unchecked options."""
        fig = self.figure
        options = selected or fig.series_options()
        for c in fig.controls:
            ctl = self.controls[c.name]
            ctl.disabled = not any(fig.relevant(c, values, o) for o in options)
            cond = (c.when or {}).get(fig.series.name) if fig.series is not None else None
            ctl.layout.display = "none" if cond is not None and not any(holds(cond, o) for o in options) else None

    def _limits(self, pi, drawn, results, shared):
        panel, ax = self.figure.panels[pi], self.axes[pi]
        out = []
        for j, axis in enumerate(("x", "y")):
            dom, scale = getattr(panel, f"{axis}domain"), getattr(panel, f"{axis}scale")
            if isinstance(dom, str):
                spans = [_arr(r[dom]) for r in (list(results.values()) or [shared])]
                lim = (min(float(s[0]) for s in spans), max(float(s[1]) for s in spans))
            elif dom is not None:
                lim = (float(dom[0]), float(dom[1]))
            else:
                vals = np.concatenate([np.asarray(d[j], dtype=np.float64).ravel() for d in drawn] or [np.zeros(0)])
                vals = vals[np.isfinite(vals)]
                lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 1.0)
                lim = nice_symlog_limits(lo, hi) if scale == "symlog" else nice_limits(lo, hi)
            getattr(ax, f"set_{axis}lim")(*lim)
            out.append(lim)
        return tuple(out)

    def _legend(self, selected) -> tuple:
        fig = self.figure
        for pi, panel in enumerate(fig.panels):
            ax = self.axes[pi]
            if not panel.legend or fig.series is None:
                continue
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            if selected:
                from matplotlib.lines import Line2D

                labels = dict(zip(fig.series.options, fig.series.option_labels()))
                proxies = [Line2D([], [], color=self._styles[o][0], linestyle=self._styles[o][1], lw=2) for o in selected]
                ax.legend(proxies, [labels[o] for o in selected], fontsize=8, loc="best")
        return tuple(selected)

    def _background_key(self, shared) -> tuple:
        keys = []
        for pi, panel in enumerate(self.figure.panels):
            for mark in panel.marks:
                if isinstance(mark, Heatmap):
                    z = np.asarray(shared[mark.z])
                    keys.append((hash(z.tobytes()), z.shape, tuple(float(v) for v in shared[mark.extent])))
        return tuple(keys)

    def _message(self, results, selected) -> str:
        fig = self.figure
        if fig.series is not None and not selected:
            return f"<i>check a {fig.series.label} to see it</i>"
        if not fig.message:
            return ""
        if fig.series is None:
            return f"<div><b>{results[None][fig.message]}</b></div>"
        labels = dict(zip(fig.series.options, fig.series.option_labels()))
        return "".join(f'<div style="color:{self._styles[o][0]}"><b>{labels[o]}: {results[o][fig.message]}</b></div>'
                       for o in selected)


# =========================================================================== speed
def benchmark(panel: LivePanel, control: str, values) -> dict:
    """Median milliseconds of ``panel``'s callback when ``control`` moves through ``values``.

    Each move recomputes and redraws; returns the medians of the compute and draw parts
    and of their sum.  Numbers depend on the machine: compare them, never print them as
    facts (and never assert them in a test).
    """
    compute, draw = [], []
    ctl = panel.controls[control] if control in panel.controls else panel.series_boxes[control]
    for v in values:
        ctl.value = v
        compute.append(panel.timings["compute"])
        draw.append(panel.timings["draw"])
    med = lambda xs: round(statistics.median(xs), 2)  # noqa: E731
    return {"compute_ms": med(compute), "draw_ms": med(draw), "total_ms": med([a + b for a, b in zip(compute, draw)])}
