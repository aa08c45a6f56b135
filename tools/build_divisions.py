"""Regenerate codes/divisions.csv from python-stdnum's pinned loc.dat.

The administrative division codes (GB/T 2260) with the years each code was in
use come from the Wikipedia lists that python-stdnum ships as ``stdnum/cn/loc.dat``.
Run with the pinned python-stdnum installed:  python tools/build_divisions.py
"""

from __future__ import annotations

import csv
import re
import sys
from importlib import metadata, resources
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "codes" / "divisions.csv"
PERIOD = re.compile(r"^\[(\d{4})?-(\d{4})?\](.+)$")


def periods(value: str) -> list[tuple[str, str, str]]:
    """Split '[-1991]东郊区,[1992-]东丽区' into (name, start, end) triples."""
    out = []
    for part in value.split(","):
        match = PERIOD.match(part)
        if match:
            out.append((match.group(3), match.group(1) or "", match.group(2) or ""))
        else:
            out.append((part, "", ""))
    return out


def rows(text: str):
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.match(r'^(\s*)(\d+) (province|county)="([^"]*)"', line)
        if not match:
            raise ValueError(f"unexpected line: {line!r}")
        indent, digits, _kind, value = match.groups()
        if not indent:
            province = digits
            for name, start, end in periods(value):
                yield digits + "0000", name, start, end
        else:
            for name, start, end in periods(value):
                yield province + digits, name, start, end


def main() -> None:
    version = metadata.version("python-stdnum")
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# 行政区划代码（GB/T 2260，含历史代码及其启用/撤销年份）\n"
            f"# 来源：python-stdnum {version} 的 stdnum/cn/loc.dat（LGPL-2.1+），"
            "其数据取自维基百科《中华人民共和国行政区划代码》1–8区列表\n"
            "# start/end：代码启用/停用年份，空表示 1980 年起即有/至今仍用\n"
        )
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "start", "end"])
        writer.writerows(dict.fromkeys(rows(text)))  # drop exact repeats, keep order
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
