"""File names that Windows, macOS and Linux all take as what they say."""

from __future__ import annotations

import unicodedata

RARE = "".join(chr(0x20000 + i) for i in range(300))  # CJK Extension B: 4 bytes each
DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in "123456789¹²³"
}


def assert_safe_file_name(name: str) -> None:
    """A file name that Windows, macOS and Linux all accept as what it says, and no option."""
    assert name and name == unicodedata.normalize("NFC", name)
    assert name[0] not in "-. " and name[-1] not in ". "
    assert not any(c in '<>:"/\\|?*' for c in name), name
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in name)
    assert name.split(".")[0].rstrip(" ").upper() not in DEVICES, name
    assert len(name.encode("utf-8")) < 255 and len(name.encode("utf-16-le")) // 2 < 255
