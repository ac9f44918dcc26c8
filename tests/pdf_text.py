"""The text of a PDF fpdf2 wrote uncompressed with an embedded TrueType font (no PDF library is a
dependency): its content streams show glyph codes, which each font's ToUnicode map turns back into
the letters a reader sees, so a test can check what a letter says, accents included."""

from __future__ import annotations

import re

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(?m)^(\d+) 0 obj(.*?)endobj", data, re.S)}


def _unicode_map(cmap: bytes) -> dict[int, str]:
    found: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                found[int(low, 16) + offset] = chr(int(start, 16) + offset)
    return found


def _literal(raw: bytes) -> bytes:
    out, index = bytearray(), 0
    while index < len(raw):
        char = raw[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        following = raw[index + 1 : index + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(0), 8) & 0xFF)
            index += 1 + len(octal.group(0))
        else:
            out += _ESCAPES.get(following, following)
            index += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """Every string shown on the PDF's pages, one line per text object, in the order drawn."""
    assert data.startswith(b"%PDF"), "not a PDF"
    objects = _objects(data)
    maps: dict[bytes, dict[int, str]] = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        font = objects.get(int(number), b"")
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
        maps[name] = _unicode_map(objects[int(to_unicode.group(1))]) if to_unicode else {}
    lines: list[str] = []
    # Fonts are set inside saved graphics states (q ... Q): Q brings back the font before its q.
    token = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj|(?<!\S)([qQ]|ET)(?=\s)", re.S)
    for number in sorted(objects):
        body = objects[number]
        if b"stream" not in body or b"/Length1" in body or b"CMap" in body:
            continue  # a font file or a font's map, not a page
        current: dict[int, str] = {}
        saved: list[dict[int, str]] = []
        line: list[str] = []
        for match in token.finditer(body):
            if match.group(1):
                current = maps.get(match.group(1), {})
            elif match.group(2) is not None:
                raw = _literal(match.group(2))
                if current:
                    codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
                    line.append("".join(current.get(code, "?") for code in codes))
                else:
                    line.append(raw.decode("latin-1"))
            elif match.group(3) == b"q":
                saved.append(current)
            elif match.group(3) == b"Q":
                current = saved.pop() if saved else current
            elif line:
                lines.append("".join(line))
                line = []
    return "\n".join(lines)
