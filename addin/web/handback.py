"""What goes back to the branches: 拆分 (``dyxx split``) and 修正 (``dyxx fix``)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from addin.model.safename import file_stem
from addin.web.checking import grid
from addin.web.committee import zipped
from addin.web.jobs import Job
from addin.web.steps import Given
from addin.write import outputs


def run_split(job: Job, given: Given) -> None:
    """One official workbook per 党支部, handed over as one zip (all or none, as split writes)."""
    from addin.workflow.common import read_all
    from addin.workflow.split import plan, write_split

    [file] = given.files["file"]
    folder = given.out / "拆分"
    with outputs.run([file]):
        job.progress("读取汇总表")
        tables = read_all([file], given.passwords())
        job.progress("写出各党支部的工作簿")
        done = plan(tables, file, folder)
        write_split(done, file, folder, given.secret())
        target = given.out / f"{file_stem(file.stem)}_拆分.zip"
        outputs.write_atomically(target, zipped(folder))
    job.offer("各党支部的工作簿（zip）", target)
    rows = [[p.name, len(p.orgs), len(p.members), p.path.name] for p in done.parts]
    lines = [
        f"写出 {len(done.parts)} 个工作簿：合计附件3 {done.written('orgs')} 行、"
        f"附件4 {done.written('members')} 名党员，与汇总表一致（附件3 {done.totals['orgs']} 行、"
        f"附件4 {done.totals['members']} 行）"
    ]
    if done.by_name:
        lines.append("注意：汇总表中没有附件3，已按附件4中填写的所在党支部名称分组，请核对")
    if done.unplaced:
        lines.append(f"注意：表格中有 {done.unplaced} 行不是党员或党组织记录，未分到各文件")
    unmatched = done.unmatched
    if unmatched is not None:
        lines.append(
            f"有 {len(unmatched.members)} 名党员未分到党支部（所在党支部与附件3不一致或没有填写），"
            f"已放在“{unmatched.path.name}”中；请在汇总表中改正后重新拆分"
        )
        lines += [f"{item.members} 名：{item.reason}" for item in done.unknown]
    job.result = {
        "verdict": {
            "ok": unmatched is None,
            "text": "拆分完成" if unmatched is None else "拆分完成，有党员未分到党支部",
        },
        "lines": lines,
        "tables": [grid("拆分结果", ["党支部", "附件3", "党员", "工作簿"], rows)],
    }


def run_fix(job: Job, given: Given) -> None:
    """A copy with the corrections dyxx knows exactly; the rest listed for the officer."""
    from addin.engine.check import paused_gc
    from addin.workflow.fix import fix_workbook

    [file] = given.files["file"]
    suffix = ".xlsm" if file.suffix.lower() == ".xlsm" else ".xlsx"
    target = given.out / f"{file_stem(file.stem)}_修正{suffix}"
    with paused_gc(), outputs.run([file]):
        job.progress("查找可以自动修改的单元格")
        done = fix_workbook(file, target, given.passwords().get(file), given.secret(), date.today())
    if done.written:
        job.offer("修正副本（修改明细见其中的“修改记录”工作表）", target)
    counts = Counter((change.rule, change.title) for change in done.changes)
    lines = [f"共修改 {len(done.changes)} 个单元格" if done.written else "没有可以自动修改的内容"]
    if done.left:
        lines.append(f"{len(done.left)} 处未自动修改，请人工核对")
    if done.marked:
        lines.append("输入的是标注副本：其中的标注是修正之前的，请对修正副本重新校验")
    changed = [
        [f"{c.sheet}!{c.cell}", c.person, c.field, c.old, _shown(c.new), c.title]
        for c in done.changes
    ]
    left = [[f"{u.sheet}!{u.cell}", u.person, u.field, u.value, u.reason] for u in done.left]
    job.result = {
        "verdict": {"ok": True, "text": "修正副本已生成" if done.written else "没有需要修改的"},
        "lines": lines,
        "tables": [
            grid(
                "已自动修改",
                ["规则代码", "修改内容", "处数"],
                [[rule, title, n] for (rule, title), n in sorted(counts.items())],
            ),
            grid(
                "修改明细",
                ["单元格", "姓名或党组织", "字段", "原内容", "新内容", "修改内容"],
                changed,
            ),
            grid(
                "未自动修改，请人工核对",
                ["单元格", "姓名或党组织", "字段", "填写内容", "原因"],
                left,
            ),
        ],
    }


def _shown(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
