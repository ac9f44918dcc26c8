"""Charts drawn on the server as SVG: bars or lines from a few series, each with a title, a
description and the same numbers as a table beside it (templates/contactcenter/_chart.html), so no
script, CDN or colour is needed to read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
# Series take these classes in turn (static/css/ncsc.css gives each a colour and the legend a pattern).
SERIES_CLASSES = ("ncsc-series-1", "ncsc-series-2", "ncsc-series-3")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    label: str


@dataclass(frozen=True)
class Line:
    points: str
    css: str
    marks: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    chart_id: str
    title: str
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    # The table beside the chart: the category's label, then one cell per series.
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT


def _scale_max(values: list[float], fixed: float | None) -> float:
    if fixed is not None:
        return fixed
    top = max([value for value in values if value is not None] + [0])
    if top <= 0:
        return 1
    # A round top: 1, 2 or 5 times a power of ten at or above the largest value.
    magnitude = 1
    while magnitude * 10 <= top:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= top:
            return step * magnitude
    return top


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:g}%"
    return f"{value:g}"


def _frame(
    chart_id: str,
    title: str,
    description: str,
    category_label: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str,
    y_max: float | None,
) -> tuple[Chart, float, float]:
    chart = Chart(chart_id=chart_id, title=title, description=description)
    top = _scale_max([value for s in series for value in s.values], y_max)
    plot_height = chart.plot_bottom - TOP
    chart.y_ticks = [
        Tick(position=chart.plot_bottom - plot_height * fraction, label=_format(top * fraction, unit))
        for fraction in (0, 0.5, 1)
    ]
    slot = (chart.plot_right - chart.plot_left) / max(len(labels), 1)
    # At most about a dozen category labels under the axis; the table has every one.
    every = max(1, -(-len(labels) // 12))
    chart.x_ticks = [
        Tick(position=chart.plot_left + slot * (index + 0.5), label=label)
        for index, label in enumerate(labels)
        if index % every == 0
    ]
    chart.legend = [(s.name, SERIES_CLASSES[index % len(SERIES_CLASSES)]) for index, s in enumerate(series)]
    chart.headers = [category_label, *(s.name for s in series)]
    chart.rows = [[label, *(_format(s.values[index], unit) for s in series)] for index, label in enumerate(labels)]
    return chart, top, slot


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    category_label: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    y_max: float | None = None,
) -> Chart:
    """Grouped bars: one group per label, one bar per series."""
    chart, top, slot = _frame(chart_id, title, description, category_label, labels, series, unit=unit, y_max=y_max)
    plot_height = chart.plot_bottom - TOP
    width = slot * 0.8 / max(len(series), 1)
    for index, label in enumerate(labels):
        for number, s in enumerate(series):
            value = s.values[index] or 0
            height = plot_height * min(value / top, 1)
            chart.bars.append(
                Bar(
                    x=round(chart.plot_left + slot * index + slot * 0.1 + width * number, 2),
                    y=round(chart.plot_bottom - height, 2),
                    width=round(width, 2),
                    height=round(height, 2),
                    css=SERIES_CLASSES[number % len(SERIES_CLASSES)],
                    label=f"{label} {s.name}: {_format(s.values[index], unit)}",
                )
            )
    return chart


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    category_label: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    y_max: float | None = None,
) -> Chart:
    """One line per series through its values (a gap where a value is None)."""
    chart, top, slot = _frame(chart_id, title, description, category_label, labels, series, unit=unit, y_max=y_max)
    plot_height = chart.plot_bottom - TOP
    for number, s in enumerate(series):
        marks = []
        for index, value in enumerate(s.values):
            if value is None:
                continue
            x = round(chart.plot_left + slot * (index + 0.5), 2)
            y = round(chart.plot_bottom - plot_height * min(value / top, 1), 2)
            marks.append((x, y, f"{labels[index]} {s.name}: {_format(value, unit)}"))
        chart.lines.append(
            Line(
                points=" ".join(f"{x},{y}" for x, y, _ in marks),
                css=SERIES_CLASSES[number % len(SERIES_CLASSES)],
                marks=tuple(marks),
            )
        )
    return chart


__all__ = ["Chart", "Series", "bar_chart", "line_chart"]
