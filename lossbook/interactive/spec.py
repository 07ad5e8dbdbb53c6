r"""The grammar of an interactive figure: controls, marks, panels, and the figure.

A :class:`Figure` is one compute function and a declaration of

* its **controls** (:class:`Slider`, :class:`Menu`, :class:`Checkbox`), each with its
  values on the static page's precomputed grid, its default and, optionally, a
  condition ``when`` under which it matters;
* optionally a **series** control (:class:`Series`: a checkbox per option, e.g. one
  per optimizer): the figure is computed once per checked option and every mark is
  drawn once per option, in that option's colour;
* its **panels** (:class:`Panel`), each a set of axes with its **marks**
  (:class:`Line`, :class:`Point`, :class:`Rule`, :class:`Band`, :class:`Text`,
  :class:`Heatmap`) that name the outputs of the compute function they draw.

The compute function takes every control (and the series) as keyword arguments and
returns a dict of named outputs: 1-D arrays, numbers, strings, ``None``, and for a
heatmap a 2-D array of small integers.  Nothing here draws; ``lossbook.interactive.live`` renders a
figure with matplotlib and ipywidgets, ``lossbook.interactive.static`` with Altair over the grid.

Importing this module imports NumPy only.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

__all__ = [
    "grid", "log_grid", "holds", "state_key", "Slider", "Menu", "Checkbox", "Series",
    "Line", "Point", "Rule", "Band", "Text", "Heatmap", "Panel", "Figure",
]

#: Names Vega reserves for its own signals: a control may not take them.
_RESERVED = {"width", "height", "padding", "autosize", "background", "style", "parent", "datum",
             "item", "event", "cursor", "shown"}
#: Comparison conditions a ``when`` may hold for a numeric control, e.g. ``">0"``.
_COMPARATORS = (">=", "<=", "!=", ">", "<")


def grid(low: float, high: float, step: float) -> tuple[float, ...]:
    """Evenly spaced values from ``low`` to ``high`` (both included), rounded to 10 digits.

    Example:
        >>> grid(0.25, 1.0, 0.25)
        (0.25, 0.5, 0.75, 1.0)
    """
    n = int(round((high - low) / step))
    if n < 0 or not math.isclose(low + n * step, high, rel_tol=1e-9, abs_tol=1e-12):
        raise ValueError(f"grid: (high - low) must be a whole number of steps, got {low}, {high}, {step}")
    return tuple(round(low + i * step, 10) for i in range(n + 1))


def log_grid(low: float, high: float, per_decade: int = 2) -> tuple[float, ...]:
    """Values from ``low`` to ``high`` with ``per_decade`` values per factor of ten.

    Example:
        >>> log_grid(0.01, 1.0)
        (0.01, 0.0316227766, 0.1, 0.316227766, 1.0)
    """
    a, b = math.log10(low), math.log10(high)
    return tuple(round(10.0 ** e, 10) for e in grid(round(a, 10), round(b, 10), 1.0 / per_decade))


def _same(a, b) -> bool:
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b and type(a) is type(b) or (a is None and b is None)


def holds(cond, value) -> bool:
    """Whether ``value`` meets the condition ``cond`` of a ``when`` entry.

    ``cond`` is a tuple of allowed values, a comparison such as ``">0"`` or ``"!=1"``,
    or a single value.

    Example:
        >>> holds(">0", 0.3), holds(("sgd", "adam"), "adagrad"), holds(True, True)
        (True, False, True)
    """
    if isinstance(cond, str) and cond.startswith(_COMPARATORS):
        op = next(o for o in _COMPARATORS if cond.startswith(o))
        ref = float(cond[len(op):])
        v = float(value)
        return {">=": v >= ref, "<=": v <= ref, "!=": not math.isclose(v, ref, abs_tol=1e-12),
                ">": v > ref, "<": v < ref}[op]
    allowed = cond if isinstance(cond, (tuple, list)) else (cond,)
    return any(_same(value, a) for a in allowed)


# =========================================================================== controls
@dataclass(frozen=True, kw_only=True)
class _Control:
    """What every control has: a name, a label, a default, a condition, its static values."""

    def __post_init__(self):
        if not self.name.isidentifier() or self.name in _RESERVED or self.name.startswith(("i_", "show_", "log_")):
            raise ValueError(f"{type(self).__name__}: name must be an identifier that is not a Vega signal "
                             f"and does not start with i_, show_ or log_, got {self.name!r}")
        if not any(_same(self.default, v) for v in self.values):
            raise ValueError(f"{type(self).__name__} {self.name!r}: default {self.default!r} must be one of "
                             f"its values {self.values!r}")

    @property
    def text(self) -> str:
        """The label shown beside the control."""
        return self.label or self.name.replace("_", " ")

    def nearest(self, value):
        """The value of the static grid nearest to ``value`` (else the default: a live-only option)."""
        return value if any(_same(value, v) for v in self.values) else self.default

    def index(self, value) -> int:
        """The position of ``value`` among :attr:`values`."""
        for i, v in enumerate(self.values):
            if _same(v, value):
                return i
        raise ValueError(f"{self.name}: {value!r} is not on the static grid {self.values!r}")


@dataclass(frozen=True, kw_only=True)
class Slider(_Control):
    """A number on a slider.

    Args:
        name: the keyword argument of the compute function.
        values: the values the static page precomputes, increasing: evenly spaced
            (``scale="linear"``) or evenly spaced in log10 (``scale="log"``) for a slider
            on the page, else the page shows them in a menu; one value means "live only".
        default: where the slider starts (one of ``values``).
        label: the text beside the slider (default: the name).
        scale: ``"linear"`` or ``"log"`` (the static slider then moves the log10).
        live: ``(low, high, step)`` of the live slider (for ``"log"``: low and high
            are values, step is in decades); default: the static range, 5x finer.
        integer: whether the value is an integer.
        when: the condition under which it matters, ``{name: condition}`` (see
            ``holds()``); elsewhere the compute function gets the default.
        fmt: the live slider's readout format.
    """

    name: str
    values: tuple
    default: float
    label: str | None = None
    scale: str = "linear"
    live: tuple | None = None
    integer: bool = False
    when: Mapping | None = None
    fmt: str = ".3g"

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(self.values))
        super().__post_init__()
        if self.scale not in ("linear", "log"):
            raise ValueError(f"Slider {self.name!r}: scale must be 'linear' or 'log', got {self.scale!r}")
        if len(self.values) > 1 and not (np.diff(self.positions()) > 0).all():
            raise ValueError(f"Slider {self.name!r}: values must be increasing, got {self.values!r}")

    @property
    def even(self) -> bool:
        """Whether the static values are evenly spaced (else the page shows a menu of them)."""
        steps = np.diff(self.positions())
        return len(steps) > 0 and bool(np.allclose(steps, steps[0], rtol=1e-6))

    def positions(self) -> np.ndarray:
        """Where the values sit on the slider: the values, or their log10."""
        v = np.asarray(self.values, dtype=np.float64)
        return np.log10(v) if self.scale == "log" else v

    def nearest(self, value):
        pos = math.log10(value) if self.scale == "log" else float(value)
        return self.values[int(np.argmin(np.abs(self.positions() - pos)))]

    def live_range(self) -> tuple[float, float, float]:
        """``(low, high, step)`` of the live slider (positions, i.e. log10 for a log scale)."""
        if self.live is not None:
            lo, hi, step = self.live
            return ((math.log10(lo), math.log10(hi), step) if self.scale == "log" else (lo, hi, step))
        pos = self.positions()
        if len(pos) == 1:
            raise ValueError(f"Slider {self.name!r}: a live-only slider (one static value) needs live=(low, high, step)")
        step = (pos[1] - pos[0]) / (1 if self.integer else 5)
        return float(pos[0]), float(pos[-1]), float(step)


@dataclass(frozen=True, kw_only=True)
class Menu(_Control):
    """A choice among a few options (a dropdown).

    Args:
        name: the keyword argument of the compute function.
        options: the options the static page precomputes (one: "live only").
        default: the option chosen at the start.
        labels: what the reader sees, one per option of ``live`` (default: the options).
        live: the live dropdown's options, a superset of ``options`` (default: ``options``).
        label: the text beside the menu (default: the name).
        when: the condition under which it matters (see :class:`Slider`).
    """

    name: str
    options: tuple
    default: Any
    labels: tuple | None = None
    live: tuple | None = None
    label: str | None = None
    when: Mapping | None = None

    def __post_init__(self):
        object.__setattr__(self, "options", tuple(self.options))
        if self.live is not None:
            object.__setattr__(self, "live", tuple(self.live))
            if any(o not in self.live for o in self.options):
                raise ValueError(f"Menu {self.name!r}: live must hold every static option")
        super().__post_init__()
        if self.labels is not None and len(self.labels) != len(self.live_options()):
            raise ValueError(f"Menu {self.name!r}: labels must match the (live) options one to one")

    @property
    def values(self) -> tuple:
        return self.options

    def live_options(self) -> tuple:
        """The options of the live dropdown."""
        return self.live if self.live is not None else self.options

    def option_labels(self, live: bool = False) -> tuple:
        """The labels of the static options (``live``: of the live ones)."""
        opts = self.live_options() if live else self.options
        if self.labels:
            table = dict(zip(self.live_options(), self.labels))
            return tuple(table[o] for o in opts)
        return tuple("none" if o is None else str(o) for o in opts)


@dataclass(frozen=True, kw_only=True)
class Checkbox(_Control):
    """An on/off switch; ``static=False`` keeps it off the static page (at its default)."""

    name: str
    default: bool = False
    label: str | None = None
    when: Mapping | None = None
    static: bool = True

    @property
    def values(self) -> tuple:
        return (False, True) if self.static else (self.default,)


@dataclass(frozen=True, kw_only=True)
class Series:
    """Several versions drawn at once, one checkbox each (e.g. one per optimizer).

    The compute function gets one option as the keyword ``name``; every mark that is
    not ``shared`` is drawn once per checked option in the option's colour and dash.

    Args:
        name: the keyword argument of the compute function.
        options: the options (strings).
        default: the options checked at the start.
        labels: what the reader sees (default: the options).
        styles: ``{option: (colour, matplotlib line style)}`` (default: the book's
            style of each name, :mod:`lossbook.plotting`, kept distinct).
        label: what one option is called, in messages ("check a loss to see it").
    """

    name: str
    options: tuple
    default: tuple = ()
    labels: tuple | None = None
    styles: Mapping | None = None
    label: str = "series"
    when = None

    def __post_init__(self):
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "default", tuple(self.default))
        if not self.name.isidentifier() or self.name in _RESERVED:
            raise ValueError(f"Series: name must be an identifier that is not a Vega signal, got {self.name!r}")
        odd = [o for o in self.options if not (isinstance(o, str) and o.isidentifier())]
        if odd:
            raise ValueError(
                f"Series {self.name!r}: options must be identifiers (each becomes a Vega signal "
                f"of the page's chart), got {odd[0]!r}; show another text with labels=..."
            )
        bad = [d for d in self.default if d not in self.options]
        if bad or not self.options:
            raise ValueError(f"Series {self.name!r}: default {bad!r} must be among the options {self.options!r}")

    def option_labels(self) -> tuple:
        return tuple(self.labels) if self.labels else tuple(str(o) for o in self.options)

    def style(self) -> dict:
        """``{option: (colour, line style)}``, distinct for every option."""
        from lossbook import plotting

        out, seen = {}, set()
        for o in self.options:
            st = tuple(self.styles[o]) if self.styles and o in self.styles else (plotting.color(o), plotting.linestyle(o))
            if st in seen:  # same colour and dash as an earlier option: change the dash
                st = (st[0], next((ls for ls in (":", "--", "-.", "-") if (st[0], ls) not in seen), st[1]))
            seen.add(st)
            out[o] = st
        return out


# =========================================================================== marks
@dataclass(frozen=True, kw_only=True)
class _Mark:
    """What every mark has.

    Args:
        name: a name (tests find the mark's artists by it; ``check_sliders.py --mark``).
        shared: drawn once, from the first checked option's outputs, not per series.
        color: a fixed colour (default: the series option's, or near-black).
        tooltip: outputs shown when the pointer is on the mark (static page).
    """

    name: str | None = None
    shared: bool = False
    color: str | None = None
    tooltip: tuple = ()

    def fields(self) -> tuple[str, ...]:
        """The outputs of the compute function this mark reads."""
        names = [getattr(self, f.name) for f in dataclasses.fields(self) if f.name in self._FIELDS]
        return tuple(n for n in names if isinstance(n, str)) + tuple(self.tooltip)


@dataclass(frozen=True, kw_only=True)
class Line(_Mark):
    """A line through the points ``(x[k], y[k])`` in order (``points=True``: a dot on each)."""

    _FIELDS = ("x", "y")
    x: str
    y: str
    width: float = 2.0
    points: bool = False


@dataclass(frozen=True, kw_only=True)
class Point(_Mark):
    """Markers at ``(x[k], y[k])`` (arrays or single numbers; a missing one is not drawn)."""

    _FIELDS = ("x", "y")
    x: str
    y: str
    shape: str = "circle"          # circle, square, diamond, cross, triangle-up
    size: float = 30.0             # area in square pixels, as in Vega-Lite
    filled: bool = True
    fill: str | None = None        # a fill colour other than the stroke's (a white diamond)
    opacity: float = 1.0


@dataclass(frozen=True, kw_only=True)
class Rule(_Mark):
    """Segments from ``(x, y)`` to ``(x2, y2)`` (numbers, or arrays of several segments)."""

    _FIELDS = ("x", "y", "x2", "y2")
    x: str
    y: str
    x2: str
    y2: str
    width: float = 2.0


@dataclass(frozen=True, kw_only=True)
class Band(_Mark):
    """The area between ``y`` and ``y2`` along ``x`` (e.g. an interval around a curve)."""

    _FIELDS = ("x", "y", "y2")
    x: str
    y: str
    y2: str
    opacity: float = 0.25


@dataclass(frozen=True, kw_only=True)
class Text(_Mark):
    """The string ``text`` at ``(x, y)``, or at the panel's top left when they are None."""

    _FIELDS = ("text", "x", "y")
    text: str
    x: str | None = None
    y: str | None = None
    size: float = 12.0


@dataclass(frozen=True, kw_only=True)
class Heatmap(_Mark):
    """A grid of cells coloured by a small integer (a band index), e.g. a surface's contours.

    ``z`` names a 2-D integer array ``(ny, nx)`` with values in ``0 .. levels - 1`` (row
    ``j`` at the ``j``-th y from the bottom); ``extent`` names ``(x0, x1, y0, y1)``.
    """

    _FIELDS = ("z", "extent")
    z: str
    extent: str
    levels: int = 12
    scheme: str = "blues"
    reverse: bool = True
    opacity: float = 0.75
    shared: bool = True


MARKS = (Line, Point, Rule, Band, Text, Heatmap)


@dataclass(frozen=True, kw_only=True)
class Panel:
    """One set of axes and the marks drawn on it.

    Args:
        title: the panel's title (``subtitle`` under it, static page only).
        xlabel, ylabel: the axis titles.
        marks: the marks, drawn in order (the first at the back).
        xscale, yscale: ``"linear"``, ``"log"`` or ``"symlog"``.
        xdomain, ydomain: the axis range: ``(low, high)``, or the name of an output
            holding it (per series outputs are joined), or None to follow the data.
        width, height: in pixels on the static page (default: the figure's).
        legend: show the series' legend under this panel.
    """

    title: str
    xlabel: str
    ylabel: str
    marks: tuple
    subtitle: str = ""
    xscale: str = "linear"
    yscale: str = "linear"
    xdomain: Any = None
    ydomain: Any = None
    width: int | None = None
    height: int | None = None
    legend: bool = False

    def __post_init__(self):
        object.__setattr__(self, "marks", tuple(self.marks))
        for s in (self.xscale, self.yscale):
            if s not in ("linear", "log", "symlog"):
                raise ValueError(f"Panel {self.title!r}: scale must be linear, log or symlog, got {s!r}")
        for m in self.marks:
            if not isinstance(m, MARKS):
                raise ValueError(f"Panel {self.title!r}: marks must be Line, Point, Rule, Band, Text or "
                                 f"Heatmap, got {type(m).__name__}")


# =========================================================================== the figure
@dataclass(frozen=True, kw_only=True)
class Figure:
    """An interactive figure: one compute function, its controls, its panels.

    Args:
        name: the name it is registered under (:func:`lossbook.interactive.register`).
        compute: ``compute(**controls) -> dict`` of named outputs (see the module).
        controls: the controls, in the order they are shown.
        panels: the panels, left to right (``rows`` groups them in rows).
        series: a :class:`Series`, or None.
        message: an output holding one line of text per series (shown above the
            live figure and under the static chart), or None.
        fixed: keyword arguments of ``compute`` that are not controls (e.g. the number
            of steps of a fit); tests may lower them.
        rows: the panels' indices per row, e.g. ``((0, 1), (2,))``; default one row.
        width, height: a panel's size on the static page; ``narrow`` its width when
            the chart stacks its panels on a narrow screen.
        figsize: the live matplotlib figure's size in inches (default from the panels).
        budget: the largest static chart, in bytes of its page fragment.
        alt: a sentence saying what the figure shows (alt text, page fallback).
    """

    name: str
    compute: Callable
    controls: tuple
    panels: tuple
    series: Series | None = None
    message: str | None = None
    fixed: Mapping = field(default_factory=dict)
    rows: tuple | None = None
    width: int = 250
    height: int = 220
    narrow: int = 290
    figsize: tuple | None = None
    budget: int = 1_500_000
    alt: str = ""

    def __post_init__(self):
        object.__setattr__(self, "controls", tuple(self.controls))
        object.__setattr__(self, "panels", tuple(self.panels))
        object.__setattr__(self, "fixed", dict(self.fixed))
        names = [c.name for c in self.controls] + ([self.series.name] if self.series else [])
        if len(set(names)) != len(names):
            raise ValueError(f"Figure {self.name!r}: control names must be unique, got {names}")
        for c in self.controls:
            for key, cond in (c.when or {}).items():
                if key not in names or key == c.name:
                    raise ValueError(f"Figure {self.name!r}: {c.name}.when names {key!r}, not another control")
        rows = self.rows or (tuple(range(len(self.panels))),)
        if sorted(i for r in rows for i in r) != list(range(len(self.panels))):
            raise ValueError(f"Figure {self.name!r}: rows must hold each panel index once, got {rows}")
        object.__setattr__(self, "rows", tuple(tuple(r) for r in rows))

    # ------------------------------------------------------------------ lookups
    def control(self, name: str):
        """The control named ``name``."""
        for c in self.controls:
            if c.name == name:
                return c
        raise ValueError(f"Figure {self.name!r}: no control named {name!r}")

    def defaults(self) -> dict:
        """Every control's default, by name."""
        return {c.name: c.default for c in self.controls}

    def marks(self):
        """``(panel index, mark)`` for every mark."""
        return [(i, m) for i, p in enumerate(self.panels) for m in p.marks]

    def outputs(self) -> set:
        """The outputs the marks, the domains and the message read."""
        names = {f for _, m in self.marks() for f in m.fields()}
        names |= {d for p in self.panels for d in (p.xdomain, p.ydomain) if isinstance(d, str)}
        return names | ({self.message} if self.message else set())

    def series_options(self) -> tuple:
        """The series' options, or ``(None,)`` for a figure without series."""
        return self.series.options if self.series else (None,)

    def replace(self, **changes) -> "Figure":
        """A copy with some fields changed, e.g. ``fixed={"steps": 20}``."""
        return dataclasses.replace(self, **changes)

    def with_defaults(self, **defaults) -> "Figure":
        """A copy whose controls start elsewhere; ``series=[...]`` sets the checked options.

        A slider's start moves to the nearest value of its static grid (a live-only
        slider, with one static value, takes the value itself); the live panel can
        start anywhere (:meth:`live`).

        Example:
            >>> from lossbook.interactive import get
            >>> fig = get("optimizer_playground").with_defaults(surface="rosenbrock", optimizer=["adam"])
            >>> fig.control("surface").default, fig.series.default
            ('rosenbrock', ('adam',))
        """
        controls, series = list(self.controls), self.series
        for key, value in defaults.items():
            if series is not None and key == series.name:
                series = dataclasses.replace(series, default=tuple(value))
                continue
            c = self.control(key)
            if len(c.values) == 1:
                new = dataclasses.replace(c, **({"values": (value,)} if isinstance(c, Slider) else {}),
                                          default=value)
            else:
                new = dataclasses.replace(c, default=c.nearest(value))
            controls[controls.index(c)] = new
        return dataclasses.replace(self, controls=tuple(controls), series=series)

    def restrict(self, **values) -> "Figure":
        """A copy with a smaller static grid: ``name=[values]`` per control (or the series).

        A slider keeps the given values of its grid (still evenly spaced, or shown as a
        menu), a menu the given options (its live dropdown keeps them all), the series
        the given options; one value fixes the control on the page.  Defaults move to the
        nearest kept value.  Tests and quick previews use it.

        Example:
            >>> from lossbook.interactive import get
            >>> small = get("optimizer_playground").restrict(lr=[0.01, 0.1], surface=["quadratic"])
            >>> small.control("lr").values, small.control("surface").options
            ((0.01, 0.1), ('quadratic',))
        """
        controls, series = list(self.controls), self.series
        for key, vals in values.items():
            vals = tuple(vals)
            if series is not None and key == series.name:
                default = tuple(o for o in series.default if o in vals) or vals[:1]
                series = dataclasses.replace(series, options=vals, default=default,
                                             labels=None if series.labels is None else tuple(
                                                 dict(zip(series.options, series.labels))[o] for o in vals))
                continue
            c = self.control(key)
            if isinstance(c, Slider):
                lo, hi, step = c.live_range()
                live = c.live or ((10.0 ** lo, 10.0 ** hi, step) if c.scale == "log" else (lo, hi, step))
                new = dataclasses.replace(c, values=vals, live=live, default=vals[int(np.argmin(np.abs(
                    np.asarray(Slider(name="x", values=vals, default=vals[0], scale=c.scale).positions())
                    - (math.log10(c.default) if c.scale == "log" else c.default))))])
            elif isinstance(c, Menu):
                new = dataclasses.replace(c, options=vals, default=c.default if c.default in vals else vals[0],
                                          live=c.live_options())
            else:
                new = dataclasses.replace(c, static=len(vals) > 1, default=c.default if c.default in vals else vals[0])
            controls[controls.index(c)] = new
        return dataclasses.replace(self, controls=tuple(controls), series=series)

    # ------------------------------------------------------------------ relevance
    def relevant(self, control, state: Mapping, option=None) -> bool:
        """Whether ``control`` matters in ``state`` (values by name) for series ``option``."""
        for key, cond in (control.when or {}).items():
            value = option if self.series is not None and key == self.series.name else state[key]
            if not holds(cond, value):
                return False
        return True

    def canonical(self, state: Mapping, option=None) -> dict:
        """``state`` with every control that does not matter set to its default."""
        out = dict(state)
        for c in self.controls:
            if not self.relevant(c, state, option):
                out[c.name] = c.default
        return out

    def call(self, state: Mapping, option=None) -> dict:
        """Run the compute function at ``state`` for series ``option``; check the outputs."""
        kw = {**self.canonical(state, option), **self.fixed}
        if self.series is not None:
            kw[self.series.name] = option
        out = self.compute(**kw)
        if not isinstance(out, Mapping):
            raise TypeError(f"{self.name}: compute must return a dict of outputs, got {type(out).__name__}")
        missing = sorted(self.outputs() - set(out))
        if missing:
            raise KeyError(f"{self.name}: compute returned no {', '.join(missing)} (the marks draw them)")
        return dict(out)

    def grid(self, option=None) -> list[dict]:
        """Every state of the static grid for series ``option``, irrelevant controls at default."""
        # A control that never matters for this option (its ``when`` on the series
        # excludes it) stays at its default: the product runs over the others only.
        series = self.series.name if self.series is not None else None
        varying = [c for c in self.controls if len(c.values) > 1
                   and (series not in (c.when or {}) or holds(c.when[series], option))]
        seen, out = set(), []
        for combo in itertools.product(*(c.values for c in varying)):
            state = {**self.defaults(), **dict(zip((c.name for c in varying), combo))}
            state = self.canonical(state, option)
            key = tuple(state_key(state[c.name]) for c in self.controls)
            if key not in seen:
                seen.add(key)
                out.append(state)
        return out

    # ------------------------------------------------------------------ renderings
    def chart(self, **kwargs):
        """The static Altair chart over the precomputed grid (see ``static.chart()``)."""
        from .static import chart

        return chart(self, **kwargs)

    def live(self, **start):
        """The live panel (see ``live.LivePanel``), its controls at ``start`` (any live value)."""
        from .live import LivePanel

        return LivePanel(self, **start)

    def show(self, **start):
        """One call for a chapter: the static chart on the page, the live panel in a notebook."""
        from .embedding import show

        return show(self, **start)


def state_key(v):
    """A control value as a dictionary key: floats rounded to 9 decimals (grid values and moves agree)."""
    return round(float(v), 9) if isinstance(v, (float, np.floating)) else v
