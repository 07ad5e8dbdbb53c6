"""Live interactive figures for a running notebook: the optimizer playground, the loss explorer.

Each panel is an ``ipywidgets.VBox``: controls on top, then a message line and the
figure.  The figure is one persistent matplotlib figure (Agg, never pyplot, so nothing
is shown twice in a notebook); a move of a control updates its artists' data in place
(``set_data``), redraws it and sends the picture to an ``ipywidgets.Image`` as PNG
bytes.  The page is never cleared, so nothing flickers.

Every number on the figures comes from :mod:`lossbook.interactive`, which also makes
the static charts of the HTML book: the live panel and the static chart show the same
computation.

The panels can be driven without a browser: set a control's ``value`` (the callback
runs as it would on a slider move) or call ``panel.update()``; the
figure, the message and the last result stay readable as attributes.

Example:
    >>> from lossbook import widgets
    >>> panel = widgets.optimizer_playground("quadratic", "sgd", lr=0.25, steps=100)
    >>> panel.message.value
    '<b style="color:#D55E00">lr = 0.25: diverged at step 67</b>'
    >>> panel.controls["lr"].value = 0.1          # what a slider move does
    >>> panel.message.value                       # 0.5 * (4 * 0.9**100)**2
    '<b>lr = 0.1: loss 5.6e-09 after 100 steps</b>'
"""

from __future__ import annotations

import functools
import io
import math
import statistics
import time

import numpy as np

from lossbook import interactive as _ia
from lossbook import plotting as _plotting

__all__ = ["OptimizerPlayground", "optimizer_playground", "LossExplorer", "loss_explorer",
           "benchmark_playground", "benchmark_explorer"]

_DIVERGED = "#D55E00"  # vermillion: the book's colour for "something went wrong"


def _figure(width: float, height: float, ncols: int):
    """A figure on the Agg canvas, outside pyplot's list of open figures."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=90)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols)
    return fig, axes


def _encode_png(buf) -> bytes:
    """RGBA pixels as PNG bytes (fast zlib level: the picture is sent, not stored)."""
    from PIL import Image

    img = Image.frombuffer("RGBA", (buf.shape[1], buf.shape[0]), buf, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    img.convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


class _Blitter:
    """Redraw only what moves: the standard matplotlib blitting, on the Agg canvas.

    The ``artists`` that change on every move (paths, curves) are marked animated, so
    a full ``canvas.draw()`` paints everything else (axes, ticks, labels, the surface);
    that picture is kept, and a move restores it and paints the animated artists on
    top.  Text layout dominates the cost of a full draw (tens of milliseconds), so the
    full draw happens only for a ``key`` (surface, axis limits, legend) not seen
    recently: the last few pictures are kept by key (about 1.5 MB each).
    """

    def __init__(self, fig, artists, keep: int = 8):
        self.fig = fig
        self.artists = list(artists)
        for a in self.artists:
            a.set_animated(True)
        self._backgrounds: dict = {}
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
                self._backgrounds.pop(next(iter(self._backgrounds)))
        else:
            canvas.restore_region(background)
        self._backgrounds[key] = background  # most recently used last
        for a in self.artists:
            if a.get_visible():
                a.axes.draw_artist(a)
        return _encode_png(canvas.buffer_rgba())


def _nice_symlog(v: float, up: bool) -> float:
    """A round limit beyond ``v`` for a symlog axis (powers of ten beyond 1, else 0 or 1)."""
    if abs(v) <= 1.0:
        if up:
            return 1.0 if v > 0 else 0.0
        return 0.0 if v >= 0 else -1.0
    mag = 10.0 ** math.ceil(math.log10(abs(v)) - 1e-12)
    if (v > 0) == up:
        return math.copysign(mag, v)
    return math.copysign(10.0 ** math.floor(math.log10(abs(v)) + 1e-12), v)


def _nice_limits(lo: float, hi: float):
    """Round axis limits around ``[lo, hi]`` (so that they change rarely as data move)."""
    from matplotlib.ticker import MaxNLocator

    if not (np.isfinite(lo) and np.isfinite(hi)):
        return (-1.0, 1.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    return tuple(float(v) for v in MaxNLocator(5).view_limits(lo, hi))


def _message_html(text: str) -> str:
    if "diverged" in text or "left the plot" in text:
        return f'<b style="color:{_DIVERGED}">{text}</b>'
    return f"<b>{text}</b>"


# =========================================================================== playground
class _Panel:
    """A panel displays as its ``widget`` (an ``ipywidgets.VBox``)."""

    widget = None

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class OptimizerPlayground(_Panel):
    """The live optimizer playground (build it with :func:`optimizer_playground`).

    Attributes:
        widget: the ``ipywidgets.VBox`` to display (the object displays itself too).
        controls: the controls by name: ``lr`` (a ``FloatLogSlider``), ``optimizer``,
            ``surface``, ``loss``, ``steps``, and ``momentum``, ``nesterov``, ``alpha``,
            ``beta1``, ``beta2``, ``weight_decay``, shown only for the optimizers they
            apply to (:data:`lossbook.interactive.OPTIMIZER_CONTROLS`).
        message: an ``ipywidgets.HTML`` line: the final loss, or where the path left
            the plot, or ``diverged at step k``.
        image: the ``ipywidgets.Image`` showing the figure.
        fig: the matplotlib figure; ``ax_path`` and ``ax_loss`` are its two axes.
        trajectory: the last :class:`lossbook.optim.Trajectory`.
        timings: milliseconds of the last update: ``compute`` and ``draw``.
    """

    def __init__(self, surface="quadratic", optimizer="sgd", lr=0.05, steps=60, *, loss="mse",
                 momentum=0.0, nesterov=False, alpha=0.99, beta1=0.9, beta2=0.999, weight_decay=0.01,
                 max_steps=300, figsize=(10.0, 4.0)):
        import ipywidgets as w

        if surface not in _ia.SURFACES:
            raise ValueError(f"optimizer_playground: surface must be one of {', '.join(_ia.SURFACES)}, got {surface!r}")
        if optimizer not in _ia.OPTIMIZER_NAMES:
            raise ValueError(
                f"optimizer_playground: optimizer must be one of {', '.join(_ia.OPTIMIZER_NAMES)}, got {optimizer!r}")
        if loss not in _ia.regression_losses():
            raise ValueError(
                f"optimizer_playground: loss must be one of {', '.join(_ia.regression_losses())}, got {loss!r}")
        style = {"description_width": "initial"}

        def layout():  # one Layout per control: showing or hiding one must not touch another
            return w.Layout(width="320px")

        c = {
            "lr": w.FloatLogSlider(value=lr, base=10, min=-4, max=1, step=0.05, readout_format=".2g",
                                   description="learning rate", style=style, layout=layout()),
            "optimizer": w.Dropdown(options=list(_ia.OPTIMIZER_NAMES), value=optimizer, description="optimizer"),
            "surface": w.Dropdown(options=list(_ia.SURFACES), value=surface, description="surface"),
            "loss": w.Dropdown(options=list(_ia.regression_losses()), value=loss, description="loss (line fit)",
                               style=style),
            "steps": w.IntSlider(value=steps, min=1, max=max_steps, description="steps", layout=layout()),
            "momentum": w.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01, description="momentum",
                                      layout=layout()),
            "nesterov": w.Checkbox(value=nesterov, description="Nesterov"),
            "alpha": w.FloatSlider(value=alpha, min=0.5, max=0.999, step=0.001, readout_format=".3f",
                                   description="alpha", layout=layout()),
            "beta1": w.FloatSlider(value=beta1, min=0.0, max=0.99, step=0.01, description="beta1", layout=layout()),
            "beta2": w.FloatSlider(value=beta2, min=0.5, max=0.9999, step=0.0001, readout_format=".4f",
                                   description="beta2", layout=layout()),
            "weight_decay": w.FloatSlider(value=weight_decay, min=0.0, max=0.5, step=0.01,
                                          description="weight decay", style=style, layout=layout()),
        }
        self.controls = c
        self.message = w.HTML()
        self.image = w.Image(format="png")
        self.timings = {"compute": float("nan"), "draw": float("nan")}
        self.trajectory = None
        self._surface_key = None
        self.fig, (self.ax_path, self.ax_loss) = _figure(*figsize, 2)
        self.fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.9, wspace=0.25)
        self._build_artists()
        self._blitter = _Blitter(self.fig, [self._path, self._start, self._gone, self._curve])
        left = w.VBox([c["surface"], c["loss"], c["optimizer"], c["lr"], c["steps"]])
        right = w.VBox([c["momentum"], c["nesterov"], c["alpha"], c["beta1"], c["beta2"], c["weight_decay"]])
        self.widget = w.VBox([w.HBox([left, right]), self.message, self.image])
        for ctl in c.values():
            ctl.observe(self._on_change, names="value")
        self.update()

    # ------------------------------------------------------------------ state
    def state(self) -> dict:
        """The controls' values, by name."""
        return {k: v.value for k, v in self.controls.items()}

    def _on_change(self, change):
        self.update()

    def _build_artists(self):
        ax, bx = self.ax_path, self.ax_loss
        self._bg = ax.imshow(np.zeros((2, 2)), origin="lower", cmap="Blues_r", alpha=0.75, aspect="auto",
                             interpolation="nearest", vmin=0, vmax=_ia._BANDS - 1)
        (self._path,) = ax.plot([], [], "-", lw=2, marker="o", ms=3)
        (self._start,) = ax.plot([], [], "s", ms=8, mfc="none", mec="black")
        (self._minima,) = ax.plot([], [], "D", ms=7, mfc="white", mec="black")
        (self._gone,) = ax.plot([], [], "x", ms=12, mew=2.5, color="black", clip_on=False)
        ax.set_title("path on the surface", fontsize=11)
        (self._curve,) = bx.plot([], [], "-", lw=2)
        bx.set_yscale("symlog", linthresh=1.0)
        bx.set_xlabel("step")
        bx.set_ylabel("loss (symlog scale)")
        bx.set_title("loss against the step", fontsize=11)
        bx.grid(True, alpha=0.3)

    # ------------------------------------------------------------------ the callback
    def update(self) -> None:
        """Recompute the trajectory from the controls and redraw (the slider callback)."""
        s = self.state()
        for name in ("momentum", "nesterov", "alpha", "beta1", "beta2", "weight_decay"):
            shown = name in _ia.OPTIMIZER_CONTROLS[s["optimizer"]]
            self.controls[name].layout.display = None if shown else "none"
        self.controls["loss"].disabled = s["surface"] != "regression"

        t0 = time.perf_counter()
        land = _ia.landscape(s["surface"], s["loss"])
        kw = _ia.optimizer_kwargs(s["optimizer"], momentum=s["momentum"], nesterov=s["nesterov"],
                                  alpha=s["alpha"], beta1=s["beta1"], beta2=s["beta2"],
                                  weight_decay=s["weight_decay"])
        traj = _ia.trajectory(land, s["optimizer"], s["lr"], s["steps"], **kw)
        path = _ia.display_path(land, traj)
        gone = _ia.exit_point(land, traj)
        steps, values = _ia.loss_curve(land, traj)
        text = _ia.path_message(land, traj, s["lr"])
        t1 = time.perf_counter()

        key = (s["surface"], s["loss"] if s["surface"] == "regression" else "")
        if key != self._surface_key:
            self._set_surface(land)
            self._surface_key = key
        color = _plotting.color(s["optimizer"])
        self._path.set_data(path[:, 0], path[:, 1])
        self._path.set_color(color)
        self._start.set_data(path[:1, 0], path[:1, 1])
        self._gone.set_data(([gone[1][0]], [gone[1][1]]) if gone is not None else ([], []))
        self._curve.set_data(steps, values)
        self._curve.set_color(color)
        xlim = (0, max(s["steps"], 1))
        ylim = (0.0, 1.0)
        if len(values):
            ylim = (_nice_symlog(float(np.min(values)), False), _nice_symlog(float(np.max(values)), True))
            if ylim[0] == ylim[1]:
                ylim = (ylim[0], ylim[0] + 1.0)
        self.ax_loss.set_xlim(*xlim)
        self.ax_loss.set_ylim(*ylim)
        self.message.value = _message_html(text)
        self.image.value = self._blitter.png((key, xlim, ylim))
        t2 = time.perf_counter()
        self.trajectory = traj
        self.timings = {"compute": 1e3 * (t1 - t0), "draw": 1e3 * (t2 - t1)}

    def _set_surface(self, land):
        xs, ys, Z, levels = _ia.contour_bands(land)
        (x0, x1), (y0, y1) = land.xlim, land.ylim
        self._bg.set_data(_ia._band_index(Z, levels))
        self._bg.set_extent((x0, x1, y0, y1))
        mins = np.array(land.minima).reshape(-1, 2)
        self._minima.set_data(mins[:, 0], mins[:, 1])
        self.ax_path.set_xlim(x0, x1)
        self.ax_path.set_ylim(y0, y1)
        reg = land.name.startswith("regression")
        self.ax_path.set_xlabel("slope w" if reg else "x")
        self.ax_path.set_ylabel("intercept b" if reg else "y")
        self.ax_path.set_title(f"path on the surface: {land.name}", fontsize=11)


def optimizer_playground(surface: str = "quadratic", optimizer: str = "sgd", lr: float = 0.05,
                         steps: int = 60, **kwargs) -> OptimizerPlayground:
    """The live optimizer playground: a path on a surface, and its loss curve.

    Controls: the learning rate on a log-scale slider (1e-4 to 10), the optimizer, the
    surface (the line fit :math:`(w, b)` under a regression loss, or a test surface),
    the loss of the line fit, the number of steps, and the optimizer's own knobs
    (momentum, Nesterov, RMSprop's alpha, Adam's betas, AdamW's weight decay), shown
    only for the optimizer they belong to.  A diverging run shows as a path that
    leaves the plot, a cross where it left, and the message ``diverged at step k``
    (the step :func:`lossbook.optim.run` reports), never as an error.

    Args:
        surface: one of :data:`lossbook.interactive.SURFACES`.
        optimizer: one of :data:`lossbook.interactive.OPTIMIZER_NAMES`.
        lr: the starting learning rate.
        steps: the starting number of steps.
        **kwargs: starting values of the other controls (``loss``, ``momentum``,
            ``nesterov``, ``alpha``, ``beta1``, ``beta2``, ``weight_decay``), and
            ``max_steps`` and ``figsize``.

    Returns:
        An :class:`OptimizerPlayground`; display it (last line of a cell).
    """
    return OptimizerPlayground(surface, optimizer, lr, steps, **kwargs)


# =========================================================================== loss explorer
class LossExplorer(_Panel):
    """The live loss explorer (build it with :func:`loss_explorer`).

    Attributes:
        kind: ``"regression"`` or ``"classification"``.
        widget: the ``ipywidgets.VBox`` to display (the object displays itself too).
        checkboxes: a ``Checkbox`` per loss, by name.
        hyper: the hyperparameter controls, by ``(loss, hyperparameter)``; a control
            shows only while its loss is checked.
        data_control: outliers (regression) or the positive class's share
            (classification).
        message: an ``ipywidgets.HTML`` line with each fit's parameters (and, for
            classification, the recall of the positive class).
        fig: the matplotlib figure; ``ax_loss``, ``ax_grad`` and ``ax_fit`` are its three axes.
        fits: the last fits, by loss name (:class:`lossbook.interactive.Fit`).
        timings: milliseconds of the last update: ``compute`` and ``draw``.
    """

    def __init__(self, kind="regression", selected=None, *, level=None, figsize=(12.0, 3.8)):
        import ipywidgets as w

        if kind not in _ia.EXPLORER_LOSSES:
            raise ValueError(f"loss_explorer: kind must be 'regression' or 'classification', got {kind!r}")
        self.kind = kind
        names = _ia.EXPLORER_LOSSES[kind]
        default_on = {"regression": ("mse", "mae", "huber"),
                      "classification": ("binary_cross_entropy_with_logits", "focal", "hinge")}[kind]
        selected = default_on if selected is None else tuple(selected)
        for n in selected:
            if n not in names:
                raise ValueError(f"loss_explorer: {n!r} is not a {kind} loss of the explorer ({', '.join(names)})")
        style = {"description_width": "initial"}
        self.checkboxes = {n: w.Checkbox(value=n in selected, description=n, indent=False,
                                         layout=w.Layout(width="auto")) for n in names}
        self.hyper = {}
        for n in names:
            defaults = _ia.default_hyper(n)
            for h, grid in _ia.HYPERPARAMETERS.get(n, {}).items():
                if any(v is None for v in grid):
                    ctl = w.Dropdown(options=[("none" if v is None else str(v), v) for v in grid],
                                     value=defaults[h], description=f"{n}: {h}", style=style)
                else:
                    ctl = w.FloatSlider(value=defaults[h], min=grid[0], max=grid[-1],
                                        step=(grid[1] - grid[0]) / 5, description=f"{n}: {h}", style=style,
                                        readout_format=".3g", layout=w.Layout(width="360px"))
                self.hyper[(n, h)] = ctl
        data_name, grid = _ia.DATA_GRID[kind]
        if kind == "regression":
            self.data_control = w.IntSlider(value=_ia.DATA_DEFAULT[kind] if level is None else int(level), min=0, max=max(grid),
                                            description="outliers", style=style)
        else:
            self.data_control = w.FloatSlider(value=_ia.DATA_DEFAULT[kind] if level is None else float(level), min=min(grid),
                                              max=max(grid), step=0.05, description="positive share",
                                              style=style, readout_format=".2f")
        self.message = w.HTML()
        self.image = w.Image(format="png")
        self.timings = {"compute": float("nan"), "draw": float("nan")}
        self.fits = {}
        self._cache: dict = {}
        self.fig, (self.ax_loss, self.ax_grad, self.ax_fit) = _figure(*figsize, 3)
        self.fig.subplots_adjust(left=0.06, right=0.99, bottom=0.14, top=0.9, wspace=0.28)
        self._build_artists()
        self._blitter = _Blitter(self.fig, [a for lines in self._lines.values() for a in lines])
        boxes = w.HBox(list(self.checkboxes.values()), layout=w.Layout(flex_flow="row wrap"))
        self.widget = w.VBox([boxes, w.VBox(list(self.hyper.values())), self.data_control, self.message, self.image])
        for ctl in [*self.checkboxes.values(), *self.hyper.values(), self.data_control]:
            ctl.observe(self._on_change, names="value")
        self.update()

    def _on_change(self, change):
        self.update()

    def state(self) -> dict:
        """The selected losses, their hyperparameters and the data level."""
        return {
            "selected": [n for n, c in self.checkboxes.items() if c.value],
            "hyper": {f"{n}.{h}": c.value for (n, h), c in self.hyper.items()},
            "level": self.data_control.value,
        }

    def _build_artists(self):
        self._lines = {}
        xlabel = "residual $r = \\hat y - y$" if self.kind == "regression" else "margin $y\\,s$"
        self._styles = _ia.explorer_styles(list(self.checkboxes))
        for n in self.checkboxes:
            st = {"color": self._styles[n][0], "linestyle": self._styles[n][1], "lw": 2}
            (a,) = self.ax_loss.plot([], [], label=n, **st)
            (b,) = self.ax_grad.plot([], [], **st)
            (c,) = self.ax_fit.plot([], [], label=n, **st)
            self._lines[n] = (a, b, c)
        for ax, title, ylabel in ((self.ax_loss, "loss", "loss per example"),
                                  (self.ax_grad, "derivative (the push on the model)", "derivative")):
            ax.set_title(title, fontsize=11)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.grid(True, alpha=0.3)
            ax.set_xlim(-3, 3)
        if self.kind == "regression":
            self._scatter = self.ax_fit.scatter([], [], s=12, color="#555555")
            self.ax_fit.set_xlabel("x")
            self.ax_fit.set_ylabel("y")
            self.ax_fit.set_title("lines fitted under each loss", fontsize=11)
        else:
            self._scatter = (self.ax_fit.scatter([], [], s=10, marker="o", color="#444444", alpha=0.25),
                             self.ax_fit.scatter([], [], s=22, marker="^", color="#444444", alpha=0.9))
            self.ax_fit.set_xlabel("$x_1$")
            self.ax_fit.set_ylabel("$x_2$")
            self.ax_fit.set_title("decision boundaries $s = 0$ (triangles: class 1)", fontsize=11)

    def _fit(self, name, hyper, level, x, y):
        key = (name, tuple(sorted((k, v) for k, v in hyper.items())), level)
        if key not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = _ia.fit_under_loss(name, x, y, **hyper)
        return self._cache[key]

    def update(self) -> None:
        """Recompute curves and fits from the controls and redraw (the slider callback)."""
        level = self.data_control.value
        if self.kind == "classification":
            level = round(float(level), 2)
        selected = [n for n, c in self.checkboxes.items() if c.value]
        for (n, _), ctl in self.hyper.items():
            ctl.layout.display = None if n in selected else "none"

        t0 = time.perf_counter()
        x, y = _ia.explorer_data(self.kind, level)
        curves, fits = {}, {}
        for n in selected:
            hyper = {h: self.hyper[(n, h)].value for h in _ia.HYPERPARAMETERS.get(n, {})}
            curves[n] = _ia.loss_curves(n, **hyper)
            fits[n] = self._fit(n, hyper, level, x, y)
        t1 = time.perf_counter()

        if self.kind == "regression":
            self._scatter.set_offsets(np.column_stack([x, y]))
            xs = np.array([-2.0, 2.0])
            self.ax_fit.set_xlim(-2.2, 2.2)
            self.ax_fit.set_ylim(min(-4.0, float(y.min()) - 0.5), max(6.0, float(y.max()) + 0.5))
        else:
            self._scatter[0].set_offsets(x[y == 0])
            self._scatter[1].set_offsets(x[y == 1])
            box = _ia.EXPLORER_BOX["classification"]
            self.ax_fit.set_xlim(*box[0])
            self.ax_fit.set_ylim(*box[1])
        parts = []
        for n, (a, b, c) in self._lines.items():
            on = n in selected
            for art in (a, b, c):
                art.set_visible(on)
            if not on:
                continue
            r, val, d = curves[n]
            a.set_data(r, val)
            b.set_data(r, d)
            coef = fits[n].coef
            if self.kind == "regression":
                c.set_data(xs, coef[0] * xs + coef[1])
                parts.append(f"{n}: w = {coef[0]:.2f}, b = {coef[1]:.2f}")
            else:
                ends = _ia._line_in_box(coef, box)
                c.set_data(*(np.array(ends).T if ends is not None else ([], [])))
                note = "" if ends is not None else " (no boundary in view: the fit is s = 0 or near it)"
                parts.append(f"{n}: recall of class 1 = {_ia._recall(coef, x, y):.2f}{note}")
        limits = []
        for ax, i in ((self.ax_loss, 0), (self.ax_grad, 1)):
            # Limits from each loss's envelope over its whole hyperparameter range: the
            # axes stay put while a slider moves (and the picture is only blitted).
            env = [_envelope(n)[i] for n in selected]
            lim = _nice_limits(min(e[0] for e in env), max(e[1] for e in env)) if env else (0.0, 1.0)
            ax.set_ylim(*lim)
            limits.append(lim)
        if self.ax_loss.get_legend() is not None:
            self.ax_loss.get_legend().remove()
        if selected:
            # The legend is drawn with the background, so it holds proxies, not the
            # animated lines themselves.
            from matplotlib.lines import Line2D

            proxies = [Line2D([], [], color=self._styles[n][0], linestyle=self._styles[n][1], lw=2)
                       for n in selected]
            self.ax_loss.legend(proxies, selected, fontsize=8, loc="upper center")
        self.message.value = "<br>".join(parts) if parts else "<i>check a loss to see it</i>"
        key = (tuple(selected), tuple(limits), self.ax_fit.get_ylim(), level)
        self.image.value = self._blitter.png(key)
        t2 = time.perf_counter()
        self.fits = fits
        self.timings = {"compute": 1e3 * (t1 - t0), "draw": 1e3 * (t2 - t1)}


@functools.lru_cache(maxsize=None)
def _envelope(name: str):
    """((min, max) of the loss, (min, max) of its derivative) over the hyperparameter grid."""
    lo = [np.inf, np.inf]
    hi = [-np.inf, -np.inf]
    for combo in _ia._hyper_combos(name):
        _, val, d = _ia.loss_curves(name, **combo)
        for i, v in enumerate((val, d)):
            lo[i] = min(lo[i], float(np.min(v)))
            hi[i] = max(hi[i], float(np.max(v)))
    return (lo[0], hi[0]), (lo[1], hi[1])


def loss_explorer(kind: str = "regression", selected=None, **kwargs) -> LossExplorer:
    """The live loss explorer: losses, their derivatives, and models fitted under them.

    Check losses, move their hyperparameters (Huber's delta, Smooth L1's beta, the
    quantile level tau, BCE's pos_weight, focal's gamma and alpha, the hinge margin,
    label smoothing) and the data (outliers among 40 points, or the positive class's
    share among 200), and see the loss and its derivative against the residual or the
    margin, and the line (or decision boundary) fitted under each loss.

    Args:
        kind: ``"regression"`` or ``"classification"``.
        selected: the losses checked at the start (default: three of them).
        **kwargs: ``level`` (the starting outliers or positive share) and ``figsize``.

    Returns:
        A :class:`LossExplorer`; display it (last line of a cell).
    """
    return LossExplorer(kind, selected, **kwargs)


# =========================================================================== speed
def _median_ms(values):
    return round(statistics.median(values), 2)


def benchmark_playground(repeat: int = 20) -> dict:
    """Median milliseconds of the playground's callback on learning-rate moves.

    Moves the slider across its range ``repeat`` times (each move recomputes a
    trajectory and redraws); returns the medians of the compute and draw parts and of
    their sum.  Numbers depend on the machine: compare them, don't print them as facts.
    """
    panel = optimizer_playground("rosenbrock", "adam", lr=0.01, steps=100)
    lrs = np.logspace(-3, 0, repeat)
    compute, draw = [], []
    for lr in lrs:
        panel.controls["lr"].value = float(lr)
        compute.append(panel.timings["compute"])
        draw.append(panel.timings["draw"])
    return {"compute_ms": _median_ms(compute), "draw_ms": _median_ms(draw),
            "total_ms": _median_ms([a + b for a, b in zip(compute, draw)])}


def benchmark_explorer(kind: str = "regression", repeat: int = 10) -> dict:
    """Median milliseconds of the loss explorer's callback on hyperparameter moves.

    Moves one hyperparameter slider (Huber's delta, or focal's gamma) to ``repeat``
    new values; each move recomputes the curves, refits under the new value and
    redraws.
    """
    panel = loss_explorer(kind)
    ctl = panel.hyper[("huber", "delta")] if kind == "regression" else panel.hyper[("focal", "gamma")]
    values = np.linspace(ctl.min, ctl.max, repeat + 1)[1:]
    compute, draw = [], []
    for v in values:
        ctl.value = float(v)
        compute.append(panel.timings["compute"])
        draw.append(panel.timings["draw"])
    return {"compute_ms": _median_ms(compute), "draw_ms": _median_ms(draw),
            "total_ms": _median_ms([a + b for a, b in zip(compute, draw)])}
