"""Open Innovations' HexJSON layout of the 650 constituencies (odd-r offset coordinates)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from campaigns.importers.base import CONSTITUENCY_CODE_RE, ImportRejected, Problem, decode, reject_if


@dataclass
class HexRow:
    code: str
    name: str
    q: int
    r: int
    region_code: str


def parse_hexjson(data: bytes) -> list[HexRow]:
    text = decode(data)
    if not text.strip():
        raise ImportRejected([Problem(None, None, "the file is empty")])
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected([Problem(exc.lineno, None, f"not a HexJSON file: {exc.msg}")]) from None
    hexes = document.get("hexes") if isinstance(document, dict) else None
    if not isinstance(hexes, dict):
        raise ImportRejected([Problem(None, "hexes", "not a HexJSON file (no 'hexes' object)")])
    problems = []
    parsed = []
    for code, item in hexes.items():
        if not CONSTITUENCY_CODE_RE.match(code):
            problems.append(Problem(None, code, f"'{code}' is not a constituency code"))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("q"), int) or not isinstance(item.get("r"), int):
            problems.append(Problem(None, code, "each hex needs whole-number 'q' and 'r'"))
            continue
        parsed.append(HexRow(code, str(item.get("n", "")), item["q"], item["r"], str(item.get("region", ""))))
    reject_if(problems)
    return parsed
