"""Share cards drawn server-side with Pillow: the imprint is part of the image, so a card shared as it is
keeps its imprint (Electoral Commission statutory guidance on digital imprints, "Where must the imprint appear?").
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 60
BACKGROUND = (11, 83, 148)
INK = (255, 255, 255)
BAND = (245, 245, 245)
BAND_INK = (26, 26, 26)


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Greedy wrap by measured width (average glyphs per line as the first guess)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        guess = max(10, int(width / max(1, draw.textlength("n", font=font))))
        for line in textwrap.wrap(paragraph, guess) or [""]:
            while draw.textlength(line, font=font) > width and " " in line:
                head, _, tail = line.rpartition(" ")
                lines.append(head)
                line = tail
            lines.append(line)
    return lines


def card_png(*, campaign: str, title: str, candidate: str, seat: str, body: str, imprint: str) -> bytes:
    """A 1200 by 630 PNG (the size social platforms preview) with the imprint in a band at its foot."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    small, heading, big = _font(26), _font(54), _font(40)
    draw.text((MARGIN, MARGIN), campaign, font=small, fill=INK)
    y = MARGIN + 50
    for line in _wrap(draw, title, heading, WIDTH - 2 * MARGIN)[:2]:
        draw.text((MARGIN, y), line, font=heading, fill=INK)
        y += 66
    if candidate:
        draw.text((MARGIN, y + 10), candidate, font=big, fill=INK)
        y += 60
    if seat:
        draw.text((MARGIN, y + 10), seat, font=small, fill=INK)
        y += 44
    for line in _wrap(draw, body, small, WIDTH - 2 * MARGIN)[:3]:
        draw.text((MARGIN, y + 16), line, font=small, fill=INK)
        y += 34
    imprint_font = _font(22)
    imprint_lines = _wrap(draw, imprint, imprint_font, WIDTH - 2 * MARGIN)[:3]
    band_height = 24 + 28 * len(imprint_lines)
    draw.rectangle([(0, HEIGHT - band_height), (WIDTH, HEIGHT)], fill=BAND)
    for number, line in enumerate(imprint_lines):
        draw.text((MARGIN, HEIGHT - band_height + 12 + 28 * number), line, font=imprint_font, fill=BAND_INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
