"""Party colours and labels used by the summaries, charts and maps (keyed by Commons Library abbreviation)."""

COLOURS = {
    "Con": "#0087DC",
    "Lab": "#E4003B",
    "LD": "#FAA61A",
    "RUK": "#12B6CF",
    "Green": "#02A95B",
    "SNP": "#FDF38E",
    "PC": "#005B54",
    "DUP": "#D46A4C",
    "SF": "#326760",
    "SDLP": "#2AA82C",
    "UUP": "#48A5EE",
    "APNI": "#F6CB2F",
    "TUV": "#0C3A6A",
    "WPB": "#790000",
    "Spk": "#909090",
    "Ind": "#C0C0C0",
    "Other": "#BBBBBB",
}
DEFAULT_COLOUR = "#999999"
INDEPENDENT = "Ind"


def colour_for(abbreviation: str | None) -> str:
    return COLOURS.get(abbreviation or INDEPENDENT, DEFAULT_COLOUR)


def abbreviate(name: str) -> str:
    """A short label for a party the Commons Library has not given one (initials)."""
    words = [w for w in name.replace("-", " ").split() if w[0].isalnum()]
    return "".join(w[0].upper() for w in words)[:10] or name[:10]
