r"""A figure's static chart: Altair over every state of its precomputed grid.

:func:`precompute` runs the figure's compute function at every point of its grid
(:meth:`.spec.Figure.grid`, once per series option) and stores the outputs compactly:

* a table ``grid`` with one row per grid point and series option: the option's
  index ``s``, each control's index on its grid (``c0``, ``c1``, ...), and for each
  output an id (``v0``, ``v1``, ...) into
* a table ``values`` of distinct texts (``lossbook.interactive.codec``): an output that does not
  change with a control (a surface's contours under every learning rate) is stored
  once, however many grid points share it.

:func:`chart` turns the figure's panels and marks into Vega-Lite layers over these two
tables: each control becomes a Vega parameter bound to a slider, menu or checkbox,
each layer keeps the rows that match the parameters (a control that does not matter
there, by its ``when``, is not compared), looks up its texts, and unpacks them.
Nothing is computed in the browser but this filtering.

An axis whose range is an output gets it from the parameters alone (an expression
keyed by the controls it depends on), so that it does not jump as the data move.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from . import codec
from .spec import Band, Figure, Heatmap, Line, Menu, Point, Rule, Slider, Text, holds

__all__ = ["Precomputed", "precompute", "chart", "slider_checks", "shown_by", "DASHES"]

#: Vega-Lite stroke dashes of matplotlib's line styles.
DASHES = {"-": [1, 0], "--": [6, 3], "-.": [6, 3, 2, 3], ":": [2, 2]}
#: Shapes of :class:`.spec.Point` in Vega-Lite.
_SHAPES = {"circle": "circle", "square": "square", "diamond": "diamond", "cross": "cross",
           "triangle-up": "triangle-up"}
#: Height of one line of the message panel, in pixels.
_LINE = 16


@dataclass
class Precomputed:
    """The outputs of a figure over its grid, packed (see the module).

    Attributes:
        rows: the ``grid`` table (dicts).
        values: the ``values`` table, ``{"i": id, "t": text}``.
        controls: the controls that vary on the grid, with their column (``c0``, ...).
        columns: output name -> its column in ``rows`` (``v0``, ...).
        arrays: the outputs that are 1-D arrays (the others are single values, texts and
            heatmaps).
        delta: the arrays written as differences (:func:`.codec.pack`), with their decimals.
        domains: ``(panel, "x" or "y")`` -> a fixed range, an expression, or None (data).
        raw: ``(option index, state, outputs)`` of every grid point (for tests).
    """

    rows: list
    values: list
    controls: list
    columns: dict
    arrays: set
    delta: dict
    domains: dict
    raw: list = field(repr=False, default_factory=list)

    def text(self, row: dict, output: str) -> str:
        """The packed text of ``output`` at ``row``."""
        return self.values[row[self.columns[output]]]["t"]

    def decode(self, row: dict, output: str):
        """The value of ``output`` at ``row`` as the browser reads it (an array, or a text)."""
        t = self.text(row, output)
        if output in self.arrays:
            return codec.unpack(t, delta=self.delta.get(output))
        return t


# =========================================================================== precompute
def _run_grid(fig: Figure) -> list:
    raw = []
    for si, option in enumerate(fig.series_options()):
        for state in fig.grid(option):
            raw.append((si, state, fig.call(state, option)))
    return raw


def _axis_fields(fig: Figure, panel, axis: str) -> set:
    keys = {"x": ("x", "x2"), "y": ("y", "y2")}[axis]
    out = set()
    for m in panel.marks:
        for k in keys:
            v = getattr(m, k, None)
            if isinstance(v, str):
                out.add(v)
    return out


def _span(value) -> float:
    lo, hi = (float(v) for v in value)
    return hi - lo


def _decimals(fig: Figure, raw, domains: dict) -> dict:
    """Decimals of each output drawn on an axis of known range: a 2000th of the range.

    Only where the page fixes the range (a domain that follows the data, e.g. one that
    changes with the series, keeps 4 significant digits).
    """
    out: dict = {}
    for i, panel in enumerate(fig.panels):
        for axis in ("x", "y"):
            dom = getattr(panel, f"{axis}domain")
            if domains[(i, axis)] is None or getattr(panel, f"{axis}scale") != "linear":
                continue
            spans = [_span(dom)] if not isinstance(dom, str) else [_span(o[dom]) for _, _, o in raw]
            d = codec.decimals(min(spans))
            for f in _axis_fields(fig, panel, axis):
                whole = all(np.all(np.mod(np.asarray(o[f], dtype=np.float64), 1) == 0) for _, _, o in raw
                            if o[f] is not None)
                out[f] = max(out.get(f, 0), 0 if whole else d)
    return out


def _delta_fields(raw, dec: dict) -> dict:
    """Arrays on an axis of known range, always finite: written as differences."""
    out = {}
    for f, d in dec.items():
        vals = [o[f] for _, _, o in raw]
        if all(codec.is_array(v) and np.all(np.isfinite(np.asarray(v, dtype=np.float64))) for v in vals):
            out[f] = d
    return out


def _check_shared(fig: Figure, raw, packed) -> None:
    """A shared mark's outputs must not depend on the series (they are drawn once)."""
    if fig.series is None:
        return
    common = [c for c in fig.controls if fig.series.name not in (c.when or {})]
    shared = {f for _, m in fig.marks() if m.shared for f in m.fields()}
    for f in shared:
        seen: dict = {}
        for (si, state, _), texts in zip(raw, packed):
            key = tuple(repr(state[c.name]) for c in common)
            if seen.setdefault(key, texts[f]) != texts[f]:
                raise ValueError(f"{fig.name}: the shared output {f!r} differs between series options "
                                 f"(at {dict(zip((c.name for c in common), key))}); draw it with shared=False")


def _matters(fig: Figure, c) -> bool:
    """Whether a control matters for some series option (a restricted figure may have none)."""
    cond = (c.when or {}).get(fig.series.name) if fig.series is not None else None
    return cond is None or any(holds(cond, o) for o in fig.series.options)


def precompute(fig: Figure) -> Precomputed:
    """Run ``fig`` over its grid and pack the outputs (see the module)."""
    raw = _run_grid(fig)
    outputs = sorted(fig.outputs())
    domains = {(i, a): _domain(fig, p, a, raw) for i, p in enumerate(fig.panels) for a in ("x", "y")}
    dec = _decimals(fig, raw, domains)
    delta = _delta_fields(raw, dec)
    packed = [{f: codec.pack(o[f], dec.get(f), delta.get(f)) for f in outputs} for _, _, o in raw]
    _check_shared(fig, raw, packed)
    arrays = {f for f in outputs if any(codec.is_array(o[f]) and np.ndim(o[f]) == 1 for _, _, o in raw)}
    ids: dict = {}
    values: list = []
    columns = {f: f"v{j}" for j, f in enumerate(outputs)}
    varying = [c for c in fig.controls if len(c.values) > 1 and _matters(fig, c)]
    ccol = {c.name: f"c{j}" for j, c in enumerate(varying)}
    rows = []
    for (si, state, _), texts in zip(raw, packed):
        row = {"s": si} if fig.series else {}
        row.update({ccol[c.name]: c.index(state[c.name]) for c in varying})
        for f, t in texts.items():
            if t not in ids:
                ids[t] = len(values)
                values.append({"i": ids[t], "t": t})
            row[columns[f]] = ids[t]
        rows.append(row)
    return Precomputed(rows, values, [(c, ccol[c.name]) for c in varying], columns, arrays, delta, domains, raw)


# =========================================================================== expressions
def _param(c) -> str:
    """The Vega parameter a control is bound to (a log slider moves the log10)."""
    return f"log_{c.name}" if isinstance(c, Slider) and c.scale == "log" and c.even else c.name


def _index_expr(c) -> str:
    """A Vega expression for the control's index on its static grid."""
    if isinstance(c, Slider) and c.even:
        pos = c.positions()
        step = round(float(pos[1] - pos[0]), 10)
        return f"round(({_param(c)} - {round(float(pos[0]), 10)}) / {step})"
    if isinstance(c, Slider):
        return f"indexof({json.dumps([float(v) for v in c.values])}, {c.name})"
    if isinstance(c, Menu):
        return f"indexof({json.dumps([_option(o) for o in c.options])}, {c.name})"
    return f"({c.name} ? 1 : 0)"


def _option(o):
    return "none" if o is None else o


def _value_expr(c) -> str:
    return f"pow(10, {_param(c)})" if isinstance(c, Slider) and c.scale == "log" and c.even else c.name


def _cond_expr(fig: Figure, key: str, cond, on_datum: bool) -> str:
    """A Vega expression for one ``when`` entry (on the datum's series or on a control)."""
    if fig.series is not None and key == fig.series.name:
        allowed = [i for i, o in enumerate(fig.series.options) if holds(cond, o)]
        return f"indexof({json.dumps(allowed)}, datum.s) >= 0" if on_datum else "true"
    c = fig.control(key)
    if len(c.values) == 1:  # fixed on the page: the condition is known now
        return "true" if holds(cond, c.values[0]) else "false"
    if isinstance(cond, str) and cond[:1] in "<>!":
        op = next(o for o in (">=", "<=", "!=", ">", "<") if cond.startswith(o))
        return f"{_value_expr(c)} {op} {float(cond[len(op):])}"
    allowed = [i for i, v in enumerate(c.values) if holds(cond, v)]
    return f"indexof({json.dumps(allowed)}, i_{c.name}) >= 0"


def _relevant_expr(fig: Figure, c, on_datum: bool = True) -> str:
    parts = [_cond_expr(fig, k, cond, on_datum) for k, cond in (c.when or {}).items()]
    return " && ".join(f"({p})" for p in parts) or "true"


def _row_filter(fig: Figure, pre: Precomputed, shared: bool) -> str:
    """The rows a layer draws: the series shown (or the first, for shared marks), the controls."""
    parts = []
    if fig.series is not None:
        parts.append("datum.s == 0" if shared else "shown[datum.s]")
    for c, col in pre.controls:
        rel = _relevant_expr(fig, c)
        test = f"datum.{col} == i_{c.name}"
        parts.append(test if rel == "true" else f"(!({rel}) || {test})")
    return " && ".join(parts) or "true"


def _domain(fig: Figure, panel, axis: str, raw):
    """A fixed range, ``{"expr": ...}`` keyed by the controls it depends on, or None."""
    dom = getattr(panel, f"{axis}domain")
    if dom is None:
        return None
    if not isinstance(dom, str):
        return [float(v) for v in dom]
    by_state: dict = {}
    for si, state, out in raw:
        value = tuple(round(float(v), 6) for v in out[dom])
        key = tuple(_idx(fig, c, state) for c in fig.controls)
        if by_state.setdefault(key, value) != value:
            return None  # it changes with the series: follow the data
    values = set(by_state.values())
    if len(values) == 1:
        return list(values.pop())
    deps = _dependencies(fig, by_state)
    table = {"|".join(str(k[j]) for j in deps): list(v) for k, v in by_state.items()}
    key = " + '|' + ".join(f"({_effective(fig, fig.controls[j])})" for j in deps)
    return {"expr": f"({json.dumps(table, separators=(',', ':'))})['' + {key}]"}


def _idx(fig, c, state):
    return c.index(state[c.name]) if len(c.values) > 1 else 0


def _dependencies(fig: Figure, by_state: dict) -> list:
    """The fewest controls (by greedy removal) that the value is a function of."""
    deps = list(range(len(fig.controls)))
    for j in list(deps):
        trial = [d for d in deps if d != j]
        seen: dict = {}
        if all(seen.setdefault(tuple(k[d] for d in trial), v) == v for k, v in by_state.items()):
            deps = trial
    return deps


def _effective(fig: Figure, c) -> str:
    """The control's index where it matters, its default's index where it does not."""
    if len(c.values) == 1:
        return "0"
    rel = _relevant_expr(fig, c, on_datum=False)
    return f"i_{c.name}" if rel == "true" else f"({rel}) ? i_{c.name} : {c.index(c.default)}"


# =========================================================================== the chart
def _params(fig: Figure, pre: Precomputed) -> list:
    import altair as alt

    out = []
    if fig.series is not None:
        for o, lab in zip(fig.series.options, fig.series.option_labels()):
            out.append(alt.param(name=f"show_{o}", value=o in fig.series.default,
                                 bind=alt.binding_checkbox(name=f"{lab} ")))
        out.append(alt.param(name="shown", expr="[" + ", ".join(f"show_{o}" for o in fig.series.options) + "]"))
    for c, _ in pre.controls:
        if isinstance(c, Slider) and not c.even:
            out.append(alt.param(name=c.name, value=float(c.default), bind=alt.binding_select(
                options=[float(v) for v in c.values], name=c.text + " ")))
        elif isinstance(c, Slider):
            pos = c.positions()
            out.append(alt.param(name=_param(c), value=round(float(pos[c.index(c.default)]), 10),
                                 bind=alt.binding_range(min=round(float(pos[0]), 10), max=round(float(pos[-1]), 10),
                                                        step=round(float(pos[1] - pos[0]), 10),
                                                        name=c.text + (" (log10) " if c.scale == "log" else " "))))
        elif isinstance(c, Menu):
            out.append(alt.param(name=c.name, value=_option(c.default), bind=alt.binding_select(
                options=[_option(o) for o in c.options], labels=list(c.option_labels()), name=c.text + " ")))
        else:
            out.append(alt.param(name=c.name, value=bool(c.default), bind=alt.binding_checkbox(name=c.text + " ")))
    for c, _ in pre.controls:
        out.append(alt.param(name=f"i_{c.name}", expr=_index_expr(c)))
    return out


def _rows(fig: Figure, pre: Precomputed, mark, fields, shared: bool):
    """The layer's data: the matching rows, their texts looked up and unpacked.

    Every step writes new fields (``t_`` text, ``a_`` items, ``e_`` one item, ``d_``
    a difference, ``s_`` a running sum, ``f_`` the value drawn): Vega may run a step
    again on the same data, so no step may read what it writes.
    """
    import altair as alt

    fields = list(dict.fromkeys(fields))
    by_s = ["s"] if fig.series else []
    base = alt.Chart(alt.Data(name="grid")).transform_filter(_row_filter(fig, pre, shared))
    values = alt.LookupData(data=alt.Data(name="values"), key="i", fields=["t"])
    for f in fields:
        base = base.transform_lookup(lookup=pre.columns[f], from_=values, as_=[f"t_{f}"])
    if isinstance(mark, Heatmap):
        return base
    arrays = [f for f in fields if f in pre.arrays]
    if arrays:
        base = base.transform_calculate(**{f"a_{f}": codec.SPLIT.format(f=f"t_{f}") for f in arrays})
        base = base.transform_flatten([f"a_{f}" for f in arrays], as_=[f"e_{f}" for f in arrays])
        base = base.transform_window(k1="row_number()", groupby=by_s).transform_calculate(k="datum.k1 - 1")
    text = {mark.text} if isinstance(mark, Text) else set()
    calc = {}
    for f in fields:
        if f in text:
            calc[f"f_{f}"] = f"datum['t_{f}']"
        elif f in pre.delta:
            calc[f"d_{f}"] = codec.NUMBER.format(f=f"e_{f}")
        else:
            calc[f"f_{f}"] = codec.NUMBER.format(f=f"{'e' if f in arrays else 't'}_{f}")
    base = base.transform_calculate(**calc)
    summed = [f for f in fields if f in pre.delta]
    if summed:  # differences back to values: a running sum along the array
        base = base.transform_window(**{f"s_{f}": f"sum(d_{f})" for f in summed}, sort=[alt.SortField("k")],
                                     groupby=by_s, frame=[None, 0])
        base = base.transform_calculate(**{f"f_{f}": codec.RUNNING_SUM.format(f=f"s_{f}", scale=10 ** pre.delta[f])
                                           for f in summed})
    if fig.series is not None:
        labels = json.dumps(list(fig.series.option_labels()))
        base = base.transform_calculate(series=f"{labels}[datum.s]")
    return base


def _style(fig: Figure, mark, legend):
    """Colour (and dash) encodings: the series', or the mark's fixed colour."""
    import altair as alt

    if fig.series is None or mark.shared or mark.color is not None:
        return {"color": alt.value(mark.color or "#222222")}
    styles = fig.series.style()
    dom = list(fig.series.option_labels())
    enc = {"color": alt.Color("series:N", scale=alt.Scale(domain=dom, range=[styles[o][0] for o in fig.series.options]),
                              legend=legend, title=fig.series.label)}
    if isinstance(mark, (Line, Rule)):
        enc["strokeDash"] = alt.StrokeDash("series:N", legend=None, scale=alt.Scale(
            domain=dom, range=[DASHES[styles[o][1]] for o in fig.series.options]))
    return enc


def _xy(panel, scales, mark, keys=("x", "y")):
    import altair as alt

    enc = {}
    for k in keys:
        axis = k[0]
        f = getattr(mark, k)
        title = panel.xlabel if axis == "x" else panel.ylabel
        chan = {"x": alt.X, "y": alt.Y, "x2": alt.X2, "y2": alt.Y2}[k]
        if k in ("x2", "y2"):
            enc[k] = chan(f"f_{f}:Q")
        else:
            enc[k] = chan(f"f_{f}:Q", scale=scales[axis], title=title)
    return enc


def _tooltip(mark):
    import altair as alt

    return [alt.Tooltip(f"f_{t}:Q", title=t) for t in mark.tooltip]


def _layer(fig: Figure, pre: Precomputed, panel, scales, mark, legend):
    """One mark as a Vega-Lite layer."""
    import altair as alt

    fields = list(mark.fields())
    if isinstance(mark, Heatmap):
        return _heatmap(fig, pre, panel, scales, mark)
    base = _rows(fig, pre, mark, fields, mark.shared)
    style = _style(fig, mark, legend)
    tip = {"tooltip": _tooltip(mark)} if mark.tooltip else {}
    name = {"name": mark.name} if mark.name else {}
    if isinstance(mark, Line):
        return base.mark_line(strokeWidth=mark.width, clip=True, point=mark.points).encode(
            **_xy(panel, scales, mark), order="k:Q", **style, **tip).properties(**name)
    valid = " && ".join(f"isValid(datum.f_{f}) && isFinite(datum.f_{f})" for f in fields if f not in mark.tooltip)
    if isinstance(mark, Point):
        kw = {"shape": _SHAPES[mark.shape], "size": mark.size, "filled": mark.filled, "opacity": mark.opacity,
              "clip": True}
        if mark.fill is not None:
            kw.update(fill=mark.fill, filled=True, stroke=mark.color or "#000000")
            style = {}
        return base.transform_filter(valid).mark_point(**kw).encode(**_xy(panel, scales, mark), **style, **tip) \
            .properties(**name)
    if isinstance(mark, Rule):
        return base.transform_filter(valid).mark_rule(strokeWidth=mark.width, clip=True).encode(
            **_xy(panel, scales, mark, ("x", "y", "x2", "y2")), **style, **tip).properties(**name)
    if isinstance(mark, Band):
        # no "order" channel: on an area mark Vega-Lite reads it as a stack order and draws
        # nothing; an area is drawn in the order of its x values
        return base.mark_area(opacity=mark.opacity, clip=True).encode(
            **_xy(panel, scales, mark, ("x", "y", "y2")), **style, **tip).properties(**name)
    return _text(fig, base, panel, scales, mark, style, name)


def _text(fig, base, panel, scales, mark, style, name):
    import altair as alt

    kw = {"align": "left", "baseline": "top", "fontSize": mark.size}
    if mark.x is not None and mark.y is not None:
        return base.mark_text(**kw).encode(**_xy(panel, scales, mark), text=f"f_{mark.text}:N", **style) \
            .properties(**name)
    # top left of the panel, one line per series shown
    base = base.transform_window(rank="row_number()", sort=[alt.SortField("s")] if fig.series else alt.Undefined).transform_calculate(ty=f"4 + (datum.rank - 1) * {_LINE}")
    return base.mark_text(**kw).encode(x=alt.value(4), y=alt.Y("ty:Q", scale=None, axis=None),
                                       text=f"f_{mark.text}:N", **style).properties(**name)


def _heatmap(fig, pre, panel, scales, mark):
    import altair as alt

    base = _rows(fig, pre, mark, [mark.z, mark.extent], True)
    z, e = f"t_{mark.z}", f"t_{mark.extent}"
    ext = {k: f"toNumber(split(datum['{e}'], ',')[{i}])" for i, k in enumerate(("hx0", "hx1", "hy0", "hy1"))}
    base = (base.transform_calculate(nx=codec.HEATMAP_NX.format(f=z), zc=codec.HEATMAP_CELLS.format(f=z), **ext)
            .transform_flatten(["zc"], as_=["zd"])
            .transform_calculate(zi=codec.DIGIT.format(f="zd")).transform_window(c="row_number()")
            .transform_joinaggregate(ncell="count()")
            .transform_calculate(dx="(datum.hx1 - datum.hx0) / datum.nx",
                                 dy="(datum.hy1 - datum.hy0) * datum.nx / datum.ncell")
            .transform_calculate(cx="datum.hx0 + ((datum.c - 1) % datum.nx) * datum.dx",
                                 cy="datum.hy0 + floor((datum.c - 1) / datum.nx) * datum.dy")
            .transform_calculate(cx2="datum.cx + datum.dx", cy2="datum.cy + datum.dy"))
    name = {"name": mark.name} if mark.name else {}
    return base.mark_rect(opacity=mark.opacity).properties(**name).encode(
        x=alt.X("cx:Q", scale=scales["x"], title=panel.xlabel), x2="cx2:Q",
        y=alt.Y("cy:Q", scale=scales["y"], title=panel.ylabel), y2="cy2:Q",
        color=alt.Color("zi:Q", legend=None, scale=alt.Scale(scheme=mark.scheme, reverse=mark.reverse,
                                                               domain=[0, mark.levels - 1])))


def _scales(pre: Precomputed, i: int, panel) -> dict:
    import altair as alt

    out = {}
    for axis in ("x", "y"):
        kind = getattr(panel, f"{axis}scale")
        dom = pre.domains[(i, axis)]
        kw = {"type": kind} if kind != "linear" else {}
        if dom is None:
            out[axis] = alt.Scale(zero=False, **kw)
        else:
            out[axis] = alt.Scale(domain=dom, nice=False, zero=False, **kw)
    return out


def _panel(fig: Figure, pre: Precomputed, i: int, panel):
    import altair as alt

    scales = _scales(pre, i, panel)
    legend = alt.Legend(orient="bottom", columns=3, symbolStrokeWidth=2) if any(p.legend for p in fig.panels) else None
    layers = [_layer(fig, pre, panel, scales, m, legend) for m in panel.marks]
    title = alt.TitleParams(panel.title, subtitle=panel.subtitle or alt.Undefined, limit=(panel.width or fig.width) + 40)
    return alt.layer(*layers).properties(width=panel.width or fig.width, height=panel.height or fig.height,
                                         title=title)


def _message(fig: Figure, pre: Precomputed, width: int):
    import altair as alt

    n = len(fig.series_options())
    base = _rows(fig, pre, Text(text=fig.message), [fig.message], False)
    base = base.transform_window(rank="row_number()", sort=[alt.SortField("s")] if fig.series else alt.Undefined)
    prefix = "datum.series + ': ' + " if fig.series is not None else ""
    base = base.transform_calculate(line=f"{prefix}datum['f_{fig.message}']")
    style = _style(fig, Text(text=fig.message), None)
    return base.mark_text(align="left", baseline="middle", fontSize=12, fontWeight="bold", limit=width).encode(
        x=alt.value(0), y=alt.Y("rank:O", axis=None, scale=alt.Scale(domain=list(range(1, n + 1)))),
        text="line:N", **style).properties(width=width, height=_LINE * n, name="message",
                                                        view=alt.ViewConfig(stroke=None))


def chart(fig: Figure, pre: Precomputed | None = None):
    """The static chart of ``fig``: panels in rows, controls under them (Vega bindings).

    Args:
        fig: the figure.
        pre: its :func:`precompute` output, if already computed.

    Returns:
        An Altair chart whose data are the two named datasets ``grid`` and ``values``;
        show it with :func:`lossbook.interactive.embed`.
    """
    import altair as alt

    pre = precompute(fig) if pre is None else pre
    panels = [_panel(fig, pre, i, p) for i, p in enumerate(fig.panels)]
    rows = [alt.hconcat(*(panels[i] for i in r)) if len(r) > 1 else panels[r[0]] for r in fig.rows]
    widest = max(sum((fig.panels[i].width or fig.width) + 70 for i in r) for r in fig.rows) - 70
    if fig.message:
        rows.append(_message(fig, pre, widest))
    top = alt.vconcat(*rows) if len(rows) > 1 else rows[0]
    top = top.add_params(*_params(fig, pre)).resolve_scale(color="shared", strokeDash="shared")
    top = top.configure_view(stroke=None).configure(background="white", padding=8)
    # Set directly: Altair's properties() would copy and validate every row.
    top.datasets = {"grid": pre.rows, "values": pre.values}
    top.usermeta = {"lossbook": {"figure": fig.name, "narrow": fig.narrow, "sliders": slider_checks(fig, pre),
                                 "shown_by": shown_by(fig, pre)}}
    return top


def shown_by(fig: Figure, pre: Precomputed) -> dict:
    """For each control that belongs to some series options, their ``show_`` parameters.

    The page hides such a control while none of its options is checked (as the live
    panel does), e.g. Huber's delta while Huber is unchecked.
    """
    if fig.series is None:
        return {}
    out = {}
    for c, _ in pre.controls:
        cond = (c.when or {}).get(fig.series.name)
        if cond is not None:
            out[_param(c)] = [f"show_{o}" for o in fig.series.options if holds(cond, o)]
    return out


def _param_value(c, value):
    """What the Vega parameter of control ``c`` holds when the control is at ``value``."""
    if isinstance(c, Slider) and c.even:
        return round(float(c.positions()[c.index(value)]), 10)
    if isinstance(c, Menu):
        return _option(value)
    return float(value) if isinstance(c, Slider) else bool(value)


def slider_checks(fig: Figure, pre: Precomputed) -> dict:
    """For each slider of the page, the parameters that make it matter (from its ``when``).

    ``tools/check_sliders.py`` sets them, then moves the slider and requires the
    drawing to change: the slider check is derived from the spec.
    """
    out = {}
    for c, _ in pre.controls:
        if not (isinstance(c, Slider) and c.even):
            continue
        setting = {}
        for key, cond in (c.when or {}).items():
            if fig.series is not None and key == fig.series.name:
                setting.update({f"show_{o}": True for o in fig.series.options if holds(cond, o)})
            elif len(fig.control(key).values) > 1:
                other = fig.control(key)
                setting[_param(other)] = _param_value(other, next(v for v in other.values if holds(cond, v)))
        out[_param(c)] = setting
    return out
