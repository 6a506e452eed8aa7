"""A PNG badge with the credential baked in (Open Badges 3.0 baking: an iTXt chunk with the
keyword 'openbadgecredential' whose text is the credential's JSON, uncompressed)."""

from __future__ import annotations

import io
import json
import struct

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

KEYWORD = "openbadgecredential"
SIZE = 512


def _font(size: int):
    from ..certificates import _font_candidates

    for path in _font_candidates():
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width and line:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def badge_png(credential: dict, *, title: str, body: str) -> bytes:
    """The badge image (a plain round seal with the achievement and the body) carrying the
    signed credential."""
    image = Image.new("RGB", (SIZE, SIZE), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((16, 16, SIZE - 16, SIZE - 16), fill="#1f4e79")
    draw.ellipse((40, 40, SIZE - 40, SIZE - 40), outline="white", width=4)
    big, small = _font(34), _font(22)
    lines = _wrap(draw, title, big, SIZE - 150)[:4]
    y = SIZE // 2 - 28 * len(lines) - 10
    for line in lines:
        draw.text((SIZE // 2, y), line, font=big, fill="white", anchor="mt")
        y += 48
    for line in _wrap(draw, body, small, SIZE - 170)[:2]:
        draw.text((SIZE // 2, y + 16), line, font=small, fill="white", anchor="mt")
        y += 30
    info = PngInfo()
    info.add_itxt(KEYWORD, json.dumps(credential, ensure_ascii=False, separators=(",", ":")), lang="", tkey="",
                  zip=False)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def unbake(png: bytes) -> dict | None:
    """The credential baked into a PNG, if there is one."""
    from .verify import parse_credential

    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    # a broken PNG: Pillow raises SyntaxError for a bad chunk, struct.error or EOFError when cut short
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, Image.DecompressionBombError):
        return None
    text = getattr(image, "text", {}).get(KEYWORD)
    return parse_credential(str(text)) if text else None
