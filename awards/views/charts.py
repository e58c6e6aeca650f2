"""Geometry of the server-rendered SVG charts (templates/statistics/_charts.html).

The charts are drawn in a 320 units wide box that the page scales to its column: at a
phone's width one unit is about one pixel, so the 13-unit labels stay readable.
"""
from dataclasses import dataclass

WIDTH = 320
BAR_SPACE = 260  # the longest bar; the rest of the width holds its value
ROW_HEIGHT = 36
TREND_HEIGHT = 190
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 40, 18, 20, 30


@dataclass
class Bar:
    label: str
    value: int
    y: int
    length: float


@dataclass
class Point:
    year: int
    x: float
    y: float
    value: int
    second_y: float
    second_value: int


def bars(rows):
    """[(label, count)] -> (bars, height of the box)."""
    top = max((count for _label, count in rows), default=0)
    result = [Bar(label, count, index * ROW_HEIGHT,
                  round(count / top * BAR_SPACE, 1) if top else 0.0)
              for index, (label, count) in enumerate(rows)]
    return result, len(rows) * ROW_HEIGHT + 4


def trend(points):
    """[(year, first value, second value)] -> dict with the points of both lines, the
    largest value (the top of the scale) and the box size."""
    top = max([1] + [v for _year, first, second in points for v in (first, second)])
    plot_width = WIDTH - TREND_LEFT - TREND_RIGHT
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    step = plot_width / (len(points) - 1) if len(points) > 1 else 0

    def y(value):
        return round(TREND_TOP + plot_height - value / top * plot_height, 1)

    result = []
    for index, (year, first, second) in enumerate(points):
        x = TREND_LEFT + (index * step if len(points) > 1 else plot_width / 2)
        result.append(Point(year, round(x, 1), y(first), first, y(second), second))
    return {"points": result, "top": top, "width": WIDTH, "height": TREND_HEIGHT,
            "left": TREND_LEFT, "right": WIDTH - TREND_RIGHT, "base": y(0),
            "scale_top": TREND_TOP}
