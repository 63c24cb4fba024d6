"""The table ``make benchmarks`` prints from var/benchmarks.jsonl: ``python -m benchmarks.table [FILE]``.

One row a benchmark: value and floor (medians of the interleaved rounds, with the unit), the median ratio, its
spread (the per-round ratios' range over their median), whether the goal was met, the growth exponent where the
work has a size, then the goal in words.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = ("benchmark", "value", "floor", "unit", "ratio", "spread", "met", "exponent")


def _shown(row: dict, key: str) -> str:
    value = row.get(key)
    if key == "met":
        return {True: "yes", False: "NO"}.get(value, "-")
    if value is None:
        return "-"
    if key == "spread":
        return f"{value:.0%}"
    return str(value)


def table(rows: list[dict]) -> str:
    cells = [[_shown(row, key) for key in COLUMNS] for row in rows]
    widths = [max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(COLUMNS)]
    lines = ["  ".join(name.ljust(width) for name, width in zip(COLUMNS, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    for line in cells:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    lines.append("")
    lines += [f"{row['benchmark']}: {row.get('goal', '')}" for row in rows]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    path = Path(argv[1] if len(argv) > 1 else "var/benchmarks.jsonl")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    print()
    print(table(rows))
    print(f"\n{len(rows)} result(s) in {path}")


if __name__ == "__main__":
    main(sys.argv)
