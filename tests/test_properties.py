"""Property-based tests (hypothesis) for the value parsers.

They never raise on arbitrary input; normalising twice changes nothing; and every
valid ID built from a real region code, a real date and a sequence is accepted.
"""

from __future__ import annotations

from datetime import date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.values import cells as values
from addin.values import codes, orgcode, ric
from addin.values.divisions import all_codes, resolve_place
from tests.support.books import person_id
from tests.support.examples import examples

TODAY = date(2024, 6, 1)
SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.text(alphabet="0123456789-./年月日xX ０１２３", max_size=24),
    st.dates(),
    st.datetimes(),
    st.times(),
)
PARSERS = (
    lambda raw: ric.check(raw, TODAY),
    lambda raw: orgcode.check(raw),
    lambda raw: values.parse_date(raw, today=TODAY),
    lambda raw: values.parse_month(raw, today=TODAY),
    values.parse_mobile,
    values.parse_landline,
    values.check_name,
    values.check_address,
    values.is_blank,
    values.text,
    lambda raw: resolve_place(values.text(raw)),
    *(lambda raw, key=key: codes.table(key).lookup(raw) for key in codes.KEYS),
)


@SETTINGS
@given(anything)
def test_parsers_never_raise(raw):
    for parse in PARSERS:
        parse(raw)


@SETTINGS
@given(anything)
def test_id_normalisation_is_idempotent(raw):
    first = ric.check(raw, TODAY)
    if first.number is not None:
        again = ric.check(first.number, TODAY)
        assert again.number == first.number
        assert "id.normalised" not in [p.code for p in again.problems]


@SETTINGS
@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_dates_round_trip(day):
    for form in (
        day,
        day.isoformat(),
        day.strftime("%Y.%m.%d"),
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        datetime.combine(day, time(0, 0)),
    ):
        parsed = values.parse_date(form, today=TODAY)
        assert parsed.value == day and parsed.problems == (), form


@SETTINGS
@given(st.text(max_size=30))
def test_phone_and_name_normalisation_is_idempotent(raw):
    for parse in (values.parse_mobile, values.parse_landline, values.check_name):
        first = parse(raw)
        if first.value is not None:
            again = parse(first.value)
            assert again.value == first.value, (parse, raw, again)
            # nothing left to normalise: no problem proposes yet another value
            assert [p for p in again.problems if p.fix not in (None, first.value)] == []


@SETTINGS
@given(st.sampled_from(codes.KEYS), st.data())
def test_code_display_forms_resolve_to_their_entry(key, data):
    table = codes.table(key)
    entry = data.draw(st.sampled_from(table.entries))
    for form in (entry.code, entry.name, table.display(entry)):
        assert table.lookup(form).entry == entry


REGIONS = sorted(all_codes())


@SETTINGS
@given(
    st.sampled_from(REGIONS),
    st.dates(min_value=date(1920, 1, 1), max_value=date(2005, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_every_valid_id_is_accepted(region, birth, sequence):
    number = person_id(region, birth.strftime("%Y%m%d"), f"{sequence:03d}")
    result = ric.check(number, TODAY)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert result.number == number and result.birth == birth
    assert result.gender == ("男" if sequence % 2 else "女")
    assert ric.check(number.lower() if number.endswith("X") else number, TODAY).number == number
