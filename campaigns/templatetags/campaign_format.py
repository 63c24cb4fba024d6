"""Number formats for the campaigns pages: shares (0-1) as percentages, share changes as signed points."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """``0.3056`` → ``30.6%``; empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def points(value: float | None, digits: int = 1) -> str:
    """A share change (0-1) in signed percentage points, with a true minus sign: ``-0.208`` gives minus 20.8."""
    if value is None or value == "":
        return ""
    text = f"{float(value) * 100:+.{int(digits)}f}"
    return text.replace("-", "\u2212")


@register.filter
def term(value: float | None, digits: int = 2) -> str:
    """A coefficient written as a term of a sum: ``-0.821`` gives a minus sign, a space and 0.821."""
    if value is None or value == "":
        return ""
    sign = "\u2212" if float(value) < 0 else "+"
    return f"{sign} {abs(float(value)):.{int(digits)}f}"
