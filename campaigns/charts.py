"""Server-side charts as plain geometry for the SVG templates (no JavaScript, no CDN): the result bar chart
against the notional result, the national hex map, and the scatter with its fitted line."""

from __future__ import annotations

import math

from campaigns import parties
from campaigns.selectors import Fit

HEX_SIZE = 6.0  # circumradius of a pointy-top hex, in SVG units


def bar_chart(share_change: list[dict], *, width: int = 400, row: int = 36) -> dict:
    """Two bars per party: this election's share (solid) and the notional share (outline), each labelled.
    The geometry is in SVG units for a chart drawn about 400 px wide (the page caps its width), so the
    12-unit labels stay readable on a phone and do not balloon on a desktop."""
    label_width = 52
    room_for_label = 84
    largest = max([r["share"] or 0 for r in share_change] + [r["notional_share"] or 0 for r in share_change] + [0.01])
    scale = (width - label_width - room_for_label) / largest
    rows = []
    for i, r in enumerate(share_change):
        y = i * row + 4
        share, notional = r["share"] or 0, r["notional_share"] or 0
        share_width, notional_width = round(share * scale, 1), round(notional * scale, 1)
        rows.append(
            {
                "party": r["party"],
                "colour": r["colour"],
                "y": y,
                "text_y": y + 12,
                "notional_y": y + 18,
                "notional_text_y": y + 26,
                "x": label_width,
                "share_width": max(share_width, 1),
                "notional_width": max(notional_width, 1),
                "share_label": f"{share:.1%}",
                "share_label_x": label_width + share_width + 5,
                "notional_label": f"{notional:.1%}",
                "notional_label_x": label_width + notional_width + 5,
                "has_notional": r["notional_share"] is not None,
            }
        )
    return {"width": width, "height": max(len(rows) * row, row) + 4, "rows": rows}


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


TIER_LABELS = {1: "Tier 1", 2: "Tier 2", 3: "Tier 3", 0: "Not a target"}


def hex_map(seats: list[dict], *, colour_by: str) -> dict:
    """Odd-r offset layout (odd rows shifted right by half a hex). In the HexJSON layout ``r`` grows northwards,
    so rows are drawn from the largest ``r`` down. Also a legend for the colouring: the winning parties with
    their seat counts, the tiers, or the share scale."""
    if not seats:
        return {"width": 0, "height": 0, "hexes": [], "legend": []}
    width = math.sqrt(3) * HEX_SIZE
    step_y = 1.5 * HEX_SIZE
    max_share = max([s["share"] or 0 for s in seats] + [0])
    min_q = min(s["hex_q"] for s in seats)
    min_r, max_r = min(s["hex_r"] for s in seats), max(s["hex_r"] for s in seats)
    hexes = []
    counts: dict[str, int] = {}
    for s in seats:
        cx = (s["hex_q"] - min_q) * width + (width / 2 if s["hex_r"] & 1 else 0) + width
        cy = (max_r - s["hex_r"]) * step_y + HEX_SIZE * 1.5
        if colour_by == "tier":
            fill = TIER_COLOURS.get(s["tier"], TIER_COLOURS[None])
            label = TIER_LABELS.get(s["tier"], "Not scored")
            counts[label] = counts.get(label, 0) + 1
        elif colour_by == "demographic":
            fill = share_colour(s["share"], max_share)
        else:
            fill = parties.colour_for(s["winner_party"]) if s["winner_party"] else "#ffffff"
            label = s["winner_party"] or "Not declared"
            counts[label] = counts.get(label, 0) + 1
        hexes.append({**s, "points": _hex_points(cx, cy, HEX_SIZE * 0.97), "fill": fill})
    if colour_by == "tier":
        colours = {label: TIER_COLOURS[tier] for tier, label in TIER_LABELS.items()} | {"Not scored": "#e5e7eb"}
        legend = [
            {"label": label, "colour": colour, "count": counts[label]}
            for label, colour in colours.items()
            if label in counts
        ]
    elif colour_by == "demographic":
        legend = [
            {"label": f"{share:.0%}", "colour": share_colour(share, max_share), "count": None}
            for share in (max_share * step / 4 for step in range(5))
        ]
    else:
        legend = [
            {"label": label, "colour": parties.colour_for(label) if label != "Not declared" else "#ffffff", "count": n}
            for label, n in sorted(counts.items(), key=lambda item: -item[1])
        ]
    max_x = (max(s["hex_q"] for s in seats) - min_q + 2) * width + width
    max_y = (max_r - min_r) * step_y + HEX_SIZE * 3
    return {"width": round(max_x, 1), "height": round(max_y, 1), "hexes": hexes, "legend": legend}


def scatter(fit: Fit, *, width: int = 480, height: int = 340, pad: int = 48) -> dict:
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
        {"y": sy(v), "label": f"{v:+g}" if v else "0"}
        for v in range(int(math.floor(y0 / 10) * 10), int(y1) + 1, 10)
        if y0 <= v <= y1
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
        "middle_y": round(pad + (height - 2 * pad) / 2, 1),
    }
