"""The worksheet functions: as plain functions, and through xlwings' own machinery.

Three ways in: the plain Python functions; xlwings' server custom-functions call
(``xlwings.server.custom_functions_call``, the path Office.js takes), which runs
xlwings' argument and return conversion without Excel; and xlwings' desktop
decorators with the VBA wrappers they generate (pywin32 stubbed out: only
``xlwings.udfs`` imports it, and generating the VBA needs none of it).
"""

from __future__ import annotations

import asyncio
import io
import re
import sys
import types
from datetime import date, datetime

import pytest

from addin import udfs
from addin.excel import functions as logic
from addin.excel.functions import SEPARATOR, WARNING_MARK
from addin.udfs import functions
from tests.support.books import TODAY, good_member, good_org, person_id
from tests.support.cases import BOM, MEMBER_BAD, MEMBER_GOOD, ZERO_WIDTH
from tests.support.client import remote_engine

pytestmark = pytest.mark.excel
VALID = "430523196005151238"
WRONG_CHECK = "430523196005151230"
MEMBER_ROW = [1, *(good_member().values())]
# VBA keywords that cannot be argument names of the generated wrappers.
VBA_RESERVED = {"on", "date", "error", "end", "type", "string", "to", "step", "next", "as"}


# --------------------------------------------------------------------------- plain


def test_dyid():
    assert functions.DYID(VALID) == ""
    assert functions.DYID(None) == "" and functions.DYID("") == ""
    assert "校验位应为8" in functions.DYID(WRONG_CHECK)
    assert "18位" in functions.DYID("43052319600515")
    assert "存成了数字" in functions.DYID(4.30523196005151e17)
    assert functions.DYID("430523600515123").startswith("【警告】")  # 15 digits: a warning


def test_dybirth_dysex_dyage():
    assert functions.DYBIRTH(VALID) == date(1960, 5, 15)
    assert functions.DYSEX(VALID) == "男"
    assert functions.DYSEX(person_id("430523", "19700101", "002")) == "女"
    assert functions.DYAGE(VALID, datetime(2020, 5, 15)) == 60
    assert functions.DYAGE(VALID, 43966.0) == 60  # the Excel serial of 2020-05-15
    assert functions.DYAGE(VALID, "2020.05.14") == 59
    assert isinstance(functions.DYAGE(VALID), int)
    for function in (functions.DYBIRTH, functions.DYSEX, functions.DYAGE):
        assert "校验位" in function(WRONG_CHECK)
        assert function(None) == ""
    assert "不存在" in functions.DYAGE(VALID, "2020-02-30")


def test_dydate():
    assert functions.DYDATE("2017年6月15日") == date(2017, 6, 15)
    assert functions.DYDATE(datetime(2017, 6, 15)) == date(2017, 6, 15)
    assert functions.DYDATE("20170615") == date(2017, 6, 15)
    assert "不存在" in functions.DYDATE("2017-02-30")
    assert "不是可识别的日期" in functions.DYDATE("去年")
    assert functions.DYDATE("无") == ""


def test_dycode():
    assert functions.DYCODE("学历", 21.0) == "21 大学"
    assert functions.DYCODE("学历", "大学") == "21 大学"
    assert functions.DYCODE("工作岗位", "211") == "0211 事业单位管理岗位"
    assert functions.DYCODE("job", "0211") == "0211 事业单位管理岗位"
    assert functions.DYCODE("《组织类别代码》", "631") == "631 党支部"
    assert functions.DYCODE("性别", "女") == "女"
    assert "不一致" in functions.DYCODE("学历", "21 大专")
    assert "大类" in functions.DYCODE("学历", "2")
    assert "没有名为“血型”的代码表" in functions.DYCODE("血型", "A")


def test_dyrow():
    header = [[label for label, _key in _member_columns()]]
    assert functions.DYROW([MEMBER_ROW]) == ""
    wrong = list(MEMBER_ROW)
    wrong[4] = "女"  # 性别
    wrong[7] = "25"  # 学历
    found = functions.DYROW([wrong])
    assert "性别“女”与身份证号" in found and "学历“25”无法识别" in found
    assert functions.DYROW([wrong], header) == found
    assert functions.DYROW([wrong[1:]], "附件4") == found  # without 序号
    assert "附件4一行应有20列" in functions.DYROW([wrong[:5]], "附件4")
    assert "无法判断" in functions.DYROW([wrong[:5]])
    assert functions.DYROW([[None] * 20]) == ""


def _member_columns():
    from addin.write.layout import MEMBER_COLUMNS

    return MEMBER_COLUMNS


def test_docstrings_and_argument_help_fit_the_function_wizard():
    """Excel's MacroOptions takes at most 255 characters; the wizard shows Chinese text."""
    for function in functions.FUNCTIONS:
        name = function.__name__
        assert name.isascii() and name.isupper() and name.startswith("DY")
        assert function.__doc__ and len(function.__doc__) <= 255
        assert re.search(r"[\u4e00-\u9fff]", function.__doc__)
        count = function.__code__.co_argcount
        assert list(functions.ARGUMENTS[name]) == list(function.__code__.co_varnames[:count])
        for argument, doc in functions.ARGUMENTS[name].items():
            assert argument.isascii() and argument.lower() not in VBA_RESERVED
            assert 0 < len(doc) <= 255


# --------------------------------------------------------------------------- server call


@pytest.fixture
def call(monkeypatch):
    """Call a function as xlwings' custom-functions endpoint does (Office.js arguments)."""
    xw = remote_engine(monkeypatch)
    from xlwings import server

    module = types.SimpleNamespace(**udfs.decorated(server.func, server.arg))

    def run(name: str, *args: object) -> object:
        data = {
            "func_name": name,
            "args": list(args),
            "version": xw.__version__,
            "client": "Office.js",
            "runtime": "1.4",
            "date_format": "yyyy-mm-dd",
            "culture_info_name": "zh-CN",
        }
        return asyncio.run(server.custom_functions_call(data, module))

    run.module = module
    return run


def test_through_xlwings_conversion(call):
    assert call("DYID", [[VALID]]) == [[""]]
    assert call("DYID", [[WRONG_CHECK]])[0][0].startswith("公民身份证号")
    birth = call("DYBIRTH", [[VALID]])[0][0]
    assert birth["type"] == "FormattedNumber" and birth["basicValue"] == 22051  # 1960-05-15
    assert call("DYSEX", [[VALID]]) == [["男"]]
    assert call("DYAGE", [[VALID]], [[43966]]) == [[60]]  # a date arrives as a serial
    assert isinstance(call("DYAGE", [[VALID]], None)[0][0], int)  # omitted: today
    assert call("DYDATE", [["2017.6.15"]])[0][0]["basicValue"] == 42901
    assert call("DYCODE", [["学历"]], [[21]]) == [["21 大学"]]
    assert call("DYROW", [MEMBER_ROW], None) == [[""]]
    wrong = [*MEMBER_ROW[:4], "女", *MEMBER_ROW[5:]]
    assert "性别“女”" in call("DYROW", [wrong], [["附件4"]])[0][0]


def test_custom_functions_metadata(call):
    from xlwings import server

    meta = server.custom_functions_meta(call.module)["functions"]
    by_name = {f["name"]: f for f in meta}
    assert set(by_name) == {"DYID", "DYBIRTH", "DYSEX", "DYAGE", "DYDATE", "DYCODE", "DYROW"}
    age = by_name["DYAGE"]
    assert age["description"] == functions.DYAGE.__doc__
    assert [p["name"] for p in age["parameters"]] == ["id", "on_date"]
    assert age["parameters"][1]["optional"] is True
    assert age["parameters"][0]["description"] == functions.ARGUMENTS["DYAGE"]["id"]


# --------------------------------------------------------------------------- desktop


@pytest.fixture
def desktop_udfs(monkeypatch):
    """xlwings.udfs (the Windows UDF machinery) importable with pywin32 stubbed out."""
    stubs = {
        "pythoncom": {"CoInitialize": lambda: None},
        "pywintypes": {"com_error": type("com_error", (Exception,), {})},
        "win32com": {},
        "win32com.client": {"Dispatch": lambda x: x},
    }
    for name, attributes in stubs.items():
        module = types.ModuleType(name)
        for key, value in attributes.items():
            setattr(module, key, value)
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(
        sys.modules["win32com"], "client", sys.modules["win32com.client"], raising=False
    )
    monkeypatch.delitem(sys.modules, "xlwings.udfs", raising=False)
    import xlwings.udfs

    yield xlwings.udfs
    sys.modules.pop("xlwings.udfs", None)


def test_desktop_decorations_and_generated_vba(desktop_udfs):
    decorated = udfs.decorated(desktop_udfs.xlfunc, desktop_udfs.xlarg)
    module = types.SimpleNamespace(**decorated)
    vba = io.StringIO()

    class AddIn:
        Name = "dyxx.xlam"

    desktop_udfs.generate_vba_wrapper("addin.udfs", module, vba, AddIn())
    code = vba.getvalue()
    assert "Function DYAGE(id, Optional on_date)" in code
    assert "Function DYROW(row, Optional table)" in code
    assert 'DYID = XLPy.CallUDF("addin.udfs", "DYID", Array(id), ActiveWorkbook' in code
    assert code.count("End Function") == 7
    info = decorated["DYROW"].__xlfunc__
    assert info["category"] == functions.CATEGORY
    assert info["ret"]["doc"] == functions.DYROW.__doc__
    assert info["argmap"]["row"]["options"]["ndim"] == 2
    assert info["argmap"]["table"]["doc"] == functions.ARGUMENTS["DYROW"]["table"]


def test_the_module_xlwings_imports_holds_decorated_functions():
    """``UDF Modules`` names addin.udfs: on Linux xw.func is a no-op, the names are there."""
    for function in functions.FUNCTIONS:
        exported = getattr(udfs, function.__name__)
        assert exported is not function and exported.__doc__ == function.__doc__
        arguments = ("学历", 21) if function.__name__ == "DYCODE" else (VALID,)
        assert exported(*arguments) == function(*arguments)


def test_age_defaults_to_today():
    from addin.rules.base import age_on

    assert functions.DYAGE(VALID) == age_on(date(1960, 5, 15), date.today())


# --------------------------------------------------------------------------- the rules' cases

SINGLE_ROW_ONLY = {"member.branch_unknown", "member.duplicate_id"}  # they need other rows


def _row(changes: dict[str, object]) -> list[object]:
    return [1, *good_member(**changes).values()]


@pytest.mark.parametrize("changes", list(MEMBER_GOOD.values()), ids=list(MEMBER_GOOD))
def test_dyrow_accepts_the_good_variants(changes):
    """The worksheet functions run the engine's rules: every correct variant (veterans of
    each probation period too) gives ""."""
    assert logic.row_findings(_row(changes), "附件4", TODAY) == ""


@pytest.mark.parametrize(
    ("changes", "expected"),
    [case for case in MEMBER_BAD if not {rule for _c, rule, _s in case[1]} & SINGLE_ROW_ONLY],
)
def test_dyrow_says_what_check_says(check, changes, expected):
    """Each message of `dyxx check` on a real workbook, warnings marked 【警告】 (a landline
    in the mobile column, an ID or a phone with a BOM, zero-width characters, apostrophes).
    Rules across rows are left out: one row cannot break them."""
    found = logic.row_findings(_row(changes), "附件4", TODAY)
    report = check(members=[good_member(**changes)], orgs=[good_org()])
    for finding in report.findings:
        shown = finding.message if finding.severity == "error" else WARNING_MARK
        assert shown in found and finding.message in found, (finding.message, found)
    warnings = sum(severity == "warning" for *_rest, severity in expected)
    assert found.count(WARNING_MARK) == warnings, found


def test_dyid_warns_about_marks_and_refuses_one_inside(call):
    for marked in (BOM + VALID, "'" + VALID, "‘" + VALID + "’", VALID[:6] + ZERO_WIDTH + VALID[6:]):
        (reason,) = call("DYID", [[marked]])[0]
        assert reason.startswith(WARNING_MARK) and SEPARATOR not in reason, reason
        assert call("DYSEX", [[marked]]) == [["男"]]
    assert "有19位" in functions.DYID(VALID[:6] + "'" + VALID[6:])
