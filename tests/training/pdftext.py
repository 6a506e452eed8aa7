"""Text drawn on the pages of a PDF reportlab wrote, read back without a PDF library: the
streams are decompressed and each string is mapped through its font's ToUnicode table (the
embedded Japanese font is a subset whose codes mean nothing without it)."""

from __future__ import annotations

import base64
import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    out = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        if b"stream" in body:
            head, rest = body.split(b"stream", 1)
            raw = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
            if b"Length1" in head:  # an embedded font file: not text
                out[int(match.group(1))] = (head, None)
                continue
            if b"ASCII85Decode" in head:
                raw = base64.a85decode(raw.strip().removeprefix(b"<~").removesuffix(b"~>"))
            if b"FlateDecode" in head:
                raw = zlib.decompress(raw)
            out[int(match.group(1))] = (head, raw)
        else:
            out[int(match.group(1))] = (body, None)
    return out


def _cmap(stream: bytes) -> dict[int, str]:
    table = {}
    for code, uni in re.findall(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4,8})>", stream):
        value = bytes.fromhex(uni.decode()).decode("utf-16-be")
        if value != "\x00":
            table[int(code, 16)] = value
    return table


def _literal(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    escapes = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(raw):
        ch = raw[i]
        if ch == 0x5C and i + 1 < len(raw):  # backslash
            nxt = raw[i + 1]
            if 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4]).group()
                out.append(int(digits, 8) & 0xFF)
                i += 1 + len(digits)
                continue
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return bytes(out)


_TOKENS = re.compile(rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf|\((?:\\.|[^\\()])*\)|\[|\]|T[jJ*]|'|\"", re.S)


def pdf_text(data: bytes) -> str:
    """Every string shown on the pages, one line per text-showing operator."""
    objects = _objects(data)
    fonts: dict[str, dict[int, str] | None] = {}
    for head, _stream in objects.values():
        for name, ref in re.findall(rb"/([^\s/]+) (\d+) 0 R", head):
            font_head = objects.get(int(ref), (b"", None))[0]
            if b"/Type /Font" not in font_head:
                continue
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", font_head)
            fonts[name.decode()] = _cmap(objects[int(unicode_ref.group(1))][1]) if unicode_ref else None
    lines = []
    for head, stream in objects.values():
        if stream is None or b"BT" not in stream or b"/Type /Font" in head:
            continue
        font, pieces = None, []
        for token in _TOKENS.finditer(stream):
            text = token.group()
            if token.group(1):
                font = fonts.get(token.group(1).decode())
            elif text.startswith(b"("):
                raw = _literal(text[1:-1])
                pieces.append("".join(font.get(b, "") for b in raw) if font is not None else raw.decode("latin-1"))
            elif text in (b"Tj", b"TJ", b"'", b'"'):
                lines.append("".join(pieces))
                pieces = []
    return "\n".join(lines)
