"""Server-side charts as plain geometry for the SVG templates (no JavaScript, no CDN): the result bar chart
against the notional result, the national hex map, and the scatter with its fitted line."""

from __future__ import annotations

import math

from campaigns import parties
from campaigns.selectors import Fit

HEX_SIZE = 6.0  # circumradius of a pointy-top hex, in SVG units


def bar_chart(share_change: list[dict], *, width: int = 320, row: int = 34) -> dict:
    """Two bars per party: this election's share and the notional share (0-100%)."""
    label_width = 56
    scale = (width - label_width - 44) / max(
        [r["share"] or 0 for r in share_change] + [r["notional_share"] or 0 for r in share_change] + [0.01]
    )
    rows = []
    for i, r in enumerate(share_change):
        y = i * row
        share, notional = r["share"] or 0, r["notional_share"] or 0
        rows.append(
            {
                "party": r["party"],
                "colour": r["colour"],
                "y": y,
                "text_y": y + 14,
                "notional_y": y + 17,
                "x": label_width,
                "share_width": round(share * scale, 1),
                "notional_width": round(notional * scale, 1),
                "share_label": f"{share:.1%}",
                "share_label_x": label_width + round(share * scale, 1) + 4,
                "has_notional": r["notional_share"] is not None,
            }
        )
    return {"width": width, "height": max(len(rows) * row, row), "rows": rows}


def _hex_points(cx: float, cy: float, size: float) -> str:
    return " ".join(
        f"{cx + size * math.cos(math.radians(60 * k - 30)):.2f},{cy + size * math.sin(math.radians(60 * k - 30)):.2f}"
        for k in range(6)
    )


def share_colour(share: float | None, maximum: float) -> str:
    """A sequential green scale for a demographic share; grey when unknown."""
    if share is None or maximum <= 0:
        return "#e5e7eb"
    t = min(share / maximum, 1.0)
    start, end = (0xF0, 0xFD, 0xF4), (0x14, 0x53, 0x2D)
    r, g, b = (round(s + (e - s) * t) for s, e in zip(start, end, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


TIER_COLOURS = {1: "#b91c1c", 2: "#f97316", 3: "#fde68a", 0: "#e5e7eb", None: "#e5e7eb"}


def hex_map(seats: list[dict], *, colour_by: str) -> dict:
    """Odd-r offset layout (odd rows shifted right by half a hex); ``r`` grows southwards after flipping."""
    if not seats:
        return {"width": 0, "height": 0, "hexes": []}
    width = math.sqrt(3) * HEX_SIZE
    step_y = 1.5 * HEX_SIZE
    max_share = max([s["share"] or 0 for s in seats] + [0])
    min_q = min(s["hex_q"] for s in seats)
    min_r = min(s["hex_r"] for s in seats)
    hexes = []
    for s in seats:
        row = s["hex_r"] - min_r
        cx = (s["hex_q"] - min_q) * width + (width / 2 if s["hex_r"] & 1 else 0) + width
        cy = row * step_y + HEX_SIZE * 1.5
        if colour_by == "tier":
            fill = TIER_COLOURS.get(s["tier"], TIER_COLOURS[None])
        elif colour_by == "demographic":
            fill = share_colour(s["share"], max_share)
        else:
            fill = parties.colour_for(s["winner_party"]) if s["winner_party"] else "#ffffff"
        hexes.append({**s, "points": _hex_points(cx, cy, HEX_SIZE * 0.97), "fill": fill})
    max_x = (max(s["hex_q"] for s in seats) - min_q + 2) * width + width
    max_y = (max(s["hex_r"] for s in seats) - min_r) * step_y + HEX_SIZE * 3
    return {"width": round(max_x, 1), "height": round(max_y, 1), "hexes": hexes}


def scatter(fit: Fit, *, width: int = 640, height: int = 400, pad: int = 48) -> dict:
    """Points scaled into the plot, axis ticks, and the least-squares line clipped to the x range."""
    if not fit.points:
        return {"width": width, "height": height, "points": [], "line": None, "x_ticks": [], "y_ticks": []}
    xs = [p["x"] for p in fit.points]
    ys = [p["y"] for p in fit.points]
    x0, x1 = 0.0, max(xs) * 1.05 or 1.0
    y0, y1 = min([*ys, 0]) - 2, max([*ys, 0]) + 2

    def sx(x: float) -> float:
        return round(pad + (x - x0) / (x1 - x0) * (width - 2 * pad), 1)

    def sy(y: float) -> float:
        return round(height - pad - (y - y0) / (y1 - y0) * (height - 2 * pad), 1)

    points = [{**p, "cx": sx(p["x"]), "cy": sy(p["y"])} for p in fit.points]
    line = None
    if fit.slope is not None:
        line = {
            "x1": sx(x0),
            "y1": sy(fit.intercept + fit.slope * x0),
            "x2": sx(x1),
            "y2": sy(fit.intercept + fit.slope * x1),
        }
    x_ticks = [{"x": sx(v), "label": f"{v:g}%"} for v in range(0, int(x1) + 1, 10)]
    y_ticks = [
        {"y": sy(v), "label": f"{v:+g}"} for v in range(int(math.floor(y0 / 10) * 10), int(y1) + 1, 10) if y0 <= v <= y1
    ]
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "points": points,
        "line": line,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "zero_y": sy(0),
        "axis_y": height - pad,
        "right": width - pad,
    }
