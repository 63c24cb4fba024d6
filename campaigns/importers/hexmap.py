"""Open Innovations' HexJSON layout of the 650 constituencies (odd-r offset coordinates)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from campaigns.importers.base import CONSTITUENCY_CODE_RE, INTEGER_MAX, decode, max_length, reject_if
from campaigns.models import Constituency
from organiser.imports import ImportRejected, Problem


@dataclass
class HexRow:
    code: str
    name: str
    q: int
    r: int
    region_code: str


def _shown(text: str) -> str:
    """``text`` as it can be stored and shown: JSON's escapes can make lone surrogates, which no text column,
    report or page can hold (they are written as escapes instead)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _coordinate(value) -> bool:
    """A hex coordinate is a whole number an integer column holds (JSON's true and false are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= INTEGER_MAX


def parse_hexjson(data: bytes) -> list[HexRow]:
    text = decode(data)
    if not text.strip():
        raise ImportRejected([Problem(None, None, "the file is empty")])
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected([Problem(exc.lineno, None, f"not a HexJSON file: {exc.msg}")]) from None
    except ValueError as exc:  # a number of more digits than Python converts (4,300)
        raise ImportRejected([Problem(None, None, f"not a HexJSON file: {exc}")]) from None
    except RecursionError:
        raise ImportRejected([Problem(None, None, "not a HexJSON file: nested too deeply")]) from None
    hexes = document.get("hexes") if isinstance(document, dict) else None
    if not isinstance(hexes, dict):
        raise ImportRejected([Problem(None, "hexes", "not a HexJSON file (no 'hexes' object)")])
    problems = []
    parsed = []
    limits = {"n": max_length(Constituency, "name"), "region": max_length(Constituency, "region_code")}
    for code, item in hexes.items():
        if not CONSTITUENCY_CODE_RE.fullmatch(code):
            shown = _shown(code[:50])
            problems.append(Problem(None, shown, f"'{shown}' is not a constituency code"))
            continue
        if not isinstance(item, dict) or not all(_coordinate(item.get(axis)) for axis in ("q", "r")):
            problems.append(Problem(None, code, "each hex needs whole-number 'q' and 'r'"))
            continue
        texts = {key: item.get(key, "") for key in limits}
        for key, value in texts.items():
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                problems.append(Problem(None, code, f"'{key}' is not text"))
            elif len(str(value)) > limits[key] or "\x00" in str(value) or _shown(str(value)) != str(value):
                problems.append(Problem(None, code, f"'{key}' is longer than {limits[key]} characters or not text"))
        parsed.append(HexRow(code, str(texts["n"]), item["q"], item["r"], str(texts["region"])))
    reject_if(problems)
    return parsed
