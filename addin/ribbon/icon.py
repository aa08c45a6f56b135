"""The 校验 button's icon: a white check mark on a red rounded square, drawn in code.

No binary file in the repository: the 32x32 RGBA PNG is rasterised here
(4x4 supersampling for smooth edges) and encoded with zlib at a fixed level,
so the same interpreter always produces the same bytes.

>>> data = png()
>>> data[:8], data[12:16], int.from_bytes(data[16:20], "big")
(b'\\x89PNG\\r\\n\\x1a\\n', b'IHDR', 32)
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib

SIZE = 32
SAMPLES = 4  # per axis
RED = (200, 16, 46)  # 党旗红 (#C8102E)
WHITE = (255, 255, 255)
CORNER = 6.0  # radius of the rounded square, in pixels
STROKE = 2.6  # half the width of the check mark
CHECK = ((8.0, 16.5), (13.5, 22.0), (24.0, 10.0))  # the two strokes of the mark


def png() -> bytes:
    rows = b"".join(b"\x00" + bytes(_row(y)) for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + (
        _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _row(y: int) -> list[int]:
    pixels: list[int] = []
    for x in range(SIZE):
        inside = mark = 0
        for sy in range(SAMPLES):
            for sx in range(SAMPLES):
                px, py = x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES
                if _in_square(px, py):
                    inside += 1
                    mark += _on_check(px, py)
        total = SAMPLES * SAMPLES
        if not inside:
            pixels += [0, 0, 0, 0]
            continue
        share = mark / inside
        color = [round(r + (w - r) * share) for r, w in zip(RED, WHITE, strict=True)]
        pixels += [*color, round(255 * inside / total)]
    return pixels


def _in_square(x: float, y: float) -> bool:
    """Inside the rounded square that fills the icon (1 px margin)."""
    low, high = 1.0 + CORNER, SIZE - 1.0 - CORNER
    dx = max(low - x, 0.0, x - high)
    dy = max(low - y, 0.0, y - high)
    return 1.0 <= x <= SIZE - 1.0 and 1.0 <= y <= SIZE - 1.0 and math.hypot(dx, dy) <= CORNER


def _on_check(x: float, y: float) -> bool:
    return any(_distance(x, y, a, b) <= STROKE for a, b in itertools.pairwise(CHECK))


def _distance(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance from (x, y) to the segment a-b."""
    (ax, ay), (bx, by) = a, b
    length = (bx - ax) ** 2 + (by - ay) ** 2
    t = max(0.0, min(1.0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / length))
    return math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)))
