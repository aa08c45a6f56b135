"""统一社会信用代码 / 组织机构代码 checks (addin.values.orgcode)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from addin.values import orgcode

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def org_check_digit(body: str) -> str:
    """GB 11714-1997, independent of the code under test."""
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return "0123456789X0"[11 - total % 11]


def uscc_check_digit(body: str) -> str:
    """GB 32100-2015, independent of the code under test."""
    weights = [3**i % 31 for i in range(17)]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, weights, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def make_uscc(prefix: str, region: str, org_body: str) -> str:
    body = prefix + region + org_body + org_check_digit(org_body)
    return body + uscc_check_digit(body)


def load_vectors() -> list[str]:
    path = DATA / "uscc-real.txt"
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing")
        pytest.skip(f"real-world vectors not found at {path}")
    return path.read_text(encoding="utf-8").split()


@pytest.fixture(scope="module")
def vectors() -> list[str]:
    return load_vectors()


def codes(raw: object) -> list[str]:
    return [p.code for p in orgcode.check(raw).problems]


def test_vectors_are_valid_uscc(vectors: list[str]) -> None:
    assert len(vectors) == 200
    for number in vectors:
        assert orgcode.check(number) == orgcode.OrgCodeResult(number, "uscc", ()), number
        assert orgcode.validate(number) == number


def test_vectors_are_valid_org_codes(vectors: list[str]) -> None:
    for number in vectors:
        org = number[8:17]
        for written in (f"{org[:8]}-{org[8]}", org):
            assert orgcode.check(written) == orgcode.OrgCodeResult(org, "org", ()), written
            assert orgcode.is_valid(written)


def test_independent_check_digits_agree(vectors: list[str]) -> None:
    for number in vectors:
        assert uscc_check_digit(number[:17]) == number[17]
        assert org_check_digit(number[8:16]) == number[16]


def test_mutated_vectors_are_rejected(vectors: list[str]) -> None:
    """Every single-character substitution is caught (USCC: weights are units mod 31)."""
    for i, number in enumerate(vectors):
        position = i % 18 if i % 18 not in range(2, 8) else 17
        old = number[position]
        new = USCC_ALPHABET[(USCC_ALPHABET.index(old) + 1 + i % 30) % 31]
        mutated = number[:position] + new + number[position + 1 :]
        assert mutated != number
        assert "orgcode.checksum" in codes(mutated), mutated
        assert not orgcode.is_valid(mutated)


def test_mutated_org_codes_are_rejected(vectors: list[str]) -> None:
    """A changed digit is caught by the mod-11 check (weights are units mod 11)."""
    for i, number in enumerate(vectors):
        org = number[8:17]
        position = i % 9
        if not org[position].isdigit():
            continue
        digit = str((int(org[position]) + 1 + i % 9) % 10)
        mutated = org[:position] + digit + org[position + 1 :]
        written = f"{mutated[:8]}-{mutated[8]}"
        [problem] = orgcode.check(written).problems
        assert problem.code == "orgcode.checksum", written
        assert f"校验位应为{org_check_digit(mutated[:8])}" in problem.message


def test_embedded_org_code_is_checked(vectors: list[str]) -> None:
    number = vectors[0]
    wrong = "0" if number[16] != "0" else "1"
    body = number[:16] + wrong
    forged = body + uscc_check_digit(body)  # the USCC check passes, the embedded one does not
    [problem] = orgcode.check(forged).problems
    assert (problem.code, problem.severity) == ("orgcode.embedded_checksum", "error")
    assert f"校验位应为{number[16]}" in problem.message and forged in problem.message
    assert not orgcode.is_valid(forged)


@pytest.mark.parametrize(
    "number",
    [
        make_uscc("91", "110108", "MA01ABCD"),
        make_uscc("12", "430523", "44501234"),
        make_uscc("N2", "430523", "MA4L0000"),  # 农村集体经济组织
        make_uscc("51", "440305", "50000000"),
        "91110000600037341L",
    ],
)
def test_good_uscc(number: str) -> None:
    assert orgcode.check(number) == orgcode.OrgCodeResult(number, "uscc", ())


@pytest.mark.parametrize(
    ("raw", "fix"),
    [
        ("91110000600037341l", "91110000600037341L"),
        (" 91110000600037341L ", "91110000600037341L"),
        ("9111 0000 6000 3734 1L", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
        ("60003734 - 1", "60003734-1"),
        ("600037341 ", "60003734-1"),
        ("6000-37341", "60003734-1"),
        ("60003734－1", "60003734-1"),
    ],
)
def test_normalised_is_warning(raw: str, fix: str) -> None:
    result = orgcode.check(raw)
    [problem] = result.problems
    assert (problem.code, problem.severity, problem.fix) == ("orgcode.normalised", "warning", fix)
    assert fix in problem.message
    assert result.number == fix.replace("-", "")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("9111000060003734", "orgcode.length"),
        ("911100006000373411L", "orgcode.length"),
        ("6000373", "orgcode.length"),
        ("无", "orgcode.length"),
        ("91110000600O37341L", "orgcode.format"),  # letter O is not used in a USCC
        ("911A0000600037341L", "orgcode.format"),  # region code must be digits
        ("6000373#1", "orgcode.format"),
        ("60003734-Y", "orgcode.format"),
    ],
)
def test_bad_form(raw: str, code: str) -> None:
    result = orgcode.check(raw)
    [problem] = result.problems
    assert (problem.code, problem.severity) == (code, "error")
    assert raw in problem.message
    assert (result.number, result.kind) == (None, None)
    with pytest.raises(orgcode.InvalidFormat):
        orgcode.validate(raw)


def test_uscc_checksum_names_expected_digit() -> None:
    [problem] = orgcode.check("911100006000373412").problems
    assert problem.code == "orgcode.checksum"
    assert "统一社会信用代码" in problem.message and "校验位应为L" in problem.message
    with pytest.raises(orgcode.InvalidChecksum):
        orgcode.validate("911100006000373412")


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_empty_is_left_to_caller(raw: object) -> None:
    assert orgcode.check(raw) == orgcode.OrgCodeResult(None, None, ())


@pytest.mark.parametrize("raw", [9.1110000600037e17, 911100006000373412, 60003734.1])
def test_excel_number(raw: object) -> None:
    [problem] = orgcode.check(raw).problems
    assert (problem.code, problem.severity) == ("orgcode.number_format", "error")


def test_nine_digit_excel_number_is_read() -> None:
    assert orgcode.check(600037341) == orgcode.OrgCodeResult("600037341", "org", ())


def test_format() -> None:
    assert orgcode.format("600037341") == "60003734-1"
    assert orgcode.format("91110000600037341l") == "91110000600037341L"
