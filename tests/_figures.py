"""Helpers of the figure tests (tests/test_interactive.py, tests/test_widgets.py)."""

from __future__ import annotations


def extremes(ctl):
    """The values a test moves ``ctl`` to: both ends of a slider, every option, both states."""
    import ipywidgets as w

    if isinstance(ctl, w.FloatLogSlider):
        return [ctl.base ** ctl.min, ctl.base ** ctl.max]
    if isinstance(ctl, (w.FloatSlider, w.IntSlider)):
        return [ctl.min, ctl.max]
    if isinstance(ctl, w.Dropdown):
        return [v for _, v in ctl.options] if isinstance(ctl.options[0], tuple) else list(ctl.options)
    if isinstance(ctl, w.Checkbox):
        return [not ctl.value, ctl.value]
    raise AssertionError(f"a control the test does not know: {type(ctl).__name__}")


def counting(panel):
    """Count the calls of ``panel.update`` that the controls' observers make."""
    calls = {"n": 0}
    original = panel.update

    def update():
        calls["n"] += 1
        original()

    panel.update = update  # the observers call self.update(), so they find this one
    return calls
