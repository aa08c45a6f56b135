"""Every page of the app, in the committee's order: the registry filled in.

A step registered without ``run`` is shown as coming (its command is not there yet);
registering it again with ``run`` gives it its page.
"""

from __future__ import annotations

from addin.web.checking import run_check
from addin.web.committee import run_diff, run_forms, run_merge, run_sample
from addin.web.handback import run_fix, run_split
from addin.web.steps import MASK, STEPS, Input, Option, Step, register
from addin.web.upkeep import run_clean, run_verify

ONE_SUMMARY = Input("file", "汇总表（含附件3、附件4，如汇总的结果）")

register(
    Step(
        "check",
        "校验",
        "dyxx check",
        "检查一个或多个工作簿（附件3、附件4）；多个文件算一次报送，交叉检查重复和不一致。",
        (Input("files", "要校验的工作簿（.xlsx/.xlsm/.xls，可一次选多个）", many=True),),
        (MASK,),
        run_check,
        for_committee=False,
    )
)
register(
    Step(
        "merge",
        "汇总",
        "dyxx merge",
        "把各党支部的工作簿合并为一份附件3和一份附件4，整体校验，并做统计核对和数据质量统计。",
        (Input("files", "各党支部报送的工作簿（可一次选多个）", many=True),),
        (
            Option("committee", "基层党委名称（不填则取各文件表头上方的名称）", "text"),
            Option("date", "汇总日期（不填为今天）", "date"),
            MASK,
        ),
        run_merge,
    )
)
register(
    Step(
        "forms",
        "采集表",
        "dyxx forms",
        "按汇总表为每个党组织生成附件1、为每名党员生成附件2，每个党支部一个工作簿，打包下载。",
        (ONE_SUMMARY,),
        (Option("pdf", "同时生成 PDF（需要本机装有 LibreOffice）", default="1"),),
        run_forms,
    )
)
register(
    Step(
        "sample",
        "抽查",
        "dyxx sample",
        "按比例随机抽取党组织和党员，每个党支部至少一条，生成抽查清单。",
        (ONE_SUMMARY,),
        (
            Option("ratio", "抽样比例（0 到 1，如 0.1 表示 10%）", "number", "0.1", step="0.01"),
            Option(
                "seed", "随机种子（可不填；相同的数据、比例和种子抽样结果相同）", "number", step="1"
            ),
            MASK,
        ),
        run_sample,
    )
)
register(
    Step(
        "diff",
        "变动",
        "dyxx diff",
        "比较原来和现在的两份汇总表，列出新增、减少和每一处信息变动。",
        (Input("old", "原来的汇总表"), Input("new", "现在的汇总表")),
        (MASK,),
        run_diff,
    )
)
register(
    Step(
        "verify",
        "验收",
        "dyxx verify",
        "核对校验过的工作簿的数据是否仍与“校验记录”一致，并列出校验后改动的行。",
        (Input("file", "校验过的工作簿（标注副本，或在 Excel 插件中校验过的）"),),
        (),
        run_verify,
    )
)
register(
    Step(
        "clean",
        "导入准备",
        "dyxx clean",
        "另存一份去掉 dyxx 所加内容（标注、校验结果、代码表、下拉列表等）的工作簿，供导入系统。",
        (Input("file", "校验过、或用模板填写的工作簿"),),
        (),
        run_clean,
    )
)
register(
    Step(
        "split",
        "拆分",
        "dyxx split",
        "把校核后的汇总表按党支部拆开，每个党支部一个工作簿（本支部的附件3和附件4），发回日常管理。",
        (ONE_SUMMARY,),
        (),
        run_split,
        notes=("拆分结果须保留完整的身份证号和电话，不能屏蔽；发送途中请加密。",),
    )
)
register(
    Step(
        "fix",
        "修正",
        "dyxx fix",
        "另存一份改正了写法问题的工作簿（身份证号和电话中的空格、全角数字，丢失的开头的0，"
        "文本日期等），每处修改列在“修改记录”工作表；无法确定的不改，列出来请核对。",
        (Input("file", "要修正的工作簿（.xlsx/.xlsm）", accept=".xlsx,.xlsm"),),
        (),
        run_fix,
        for_committee=False,
    )
)

__all__ = ["STEPS"]
