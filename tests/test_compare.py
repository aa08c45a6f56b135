"""rules.compare's fast path for ID numbers gives what the plain path gives."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from addin.rules.compare import id_key
from addin.values.cells import is_blank, text


def plain_id_key(raw: object) -> str | None:
    if is_blank(raw):
        return None
    return "".join(unicodedata.normalize("NFKC", text(raw)).split()).upper()


@given(
    st.one_of(
        st.from_regex(r"[0-9]{17}[0-9xX]", fullmatch=True),
        st.text(alphabet="0123456789xXａ１ \u3000\ufeff-无", max_size=20),
        st.text(max_size=20),
        st.none(),
        st.floats(allow_nan=True),
    )
)
def test_id_key_fast_path_is_the_plain_path(raw):
    assert id_key(raw) == plain_id_key(raw)
