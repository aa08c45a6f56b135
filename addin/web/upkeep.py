"""The pages for a checked workbook: 验收 (``dyxx verify``) and 导入准备 (``dyxx clean``)."""

from __future__ import annotations

from addin.model.safename import file_stem
from addin.web.jobs import Job
from addin.web.steps import Given
from addin.write import outputs

LISTED = 10


def run_verify(job: Job, given: Given) -> None:
    """Is the workbook still what was checked, and did it pass?"""
    from addin.read.ownsheets import STAMP_TOOL
    from addin.workflow.verify import describe, verify
    from addin.write.marked.format import CHECKED_AT, ERRORS, VERDICT, WARNINGS

    [file] = given.files["file"]
    job.progress("核对校验记录")
    verdict = verify(file, given.passwords().get(file))
    stamp = verdict.stamp
    lines = [
        f"校验记录：{stamp.text(CHECKED_AT)}，{stamp.text(STAMP_TOOL)}，错误 "
        f"{stamp.text(ERRORS) or '?'} 个，警告 {stamp.text(WARNINGS) or '?'} 个，"
        f"结论：{stamp.text(VERDICT) or '未知'}"
    ]
    if verdict.unchanged:
        lines.append(f"数据与校验时一致（{verdict.rows} 行）")
    elif verdict.whole_only:
        lines.append("数据在校验后有变动（校验记录中没有行指纹，无法指出是哪些行）")
    else:
        lines.append("数据在校验后有变动：")
        lines += [describe(change) for change in verdict.changes]
    if verdict.codes_changed:
        lines.append(f"注意：代码表已更新（{'、'.join(verdict.codes_changed)}），建议重新校验")
    if verdict.accepted:
        text = "验收通过"
    elif verdict.unchanged:
        text = "验收未通过：校验结论为未通过"
    else:
        text = "验收未通过：校验后数据有变动，请重新校验"
    job.result = {"verdict": {"ok": verdict.accepted, "text": text}, "lines": lines}


def run_clean(job: Job, given: Given) -> None:
    """A copy without what dyxx added, for import into the national system."""
    from addin.workflow.clean import clean

    [file] = given.files["file"]
    suffix = ".xlsm" if file.suffix.lower() == ".xlsm" else ".xlsx"
    target = given.out / f"{file_stem(file.stem)}_导入{suffix}"
    with outputs.run([file]):
        job.progress("去掉 dyxx 所加的内容")
        done = clean(file, target, given.passwords().get(file), given.secret())
    job.offer("导入用工作簿", target)
    lines = []
    if done.sheets:
        lines.append(f"删除工作表：{'、'.join(done.sheets)}")
    if done.marks or done.notes:
        how = "逐字节恢复原样" if done.exact else "恢复原有填充色"
        lines.append(f"去掉标注：{done.marks} 个单元格（{how}），批注 {done.notes} 条")
    if done.validations or done.conditional_formats or done.number_formats:
        lines.append(
            f"去掉 dyxx prepare 所加：下拉列表等数据有效性 {done.validations} 项、"
            f"实时检查 {done.conditional_formats} 项、空单元格格式 {done.number_formats} 个"
        )
    if not done.anything:
        lines.append("没有发现 dyxx 添加的内容，已原样另存")
    if done.stray_notes:
        lines.append(
            f"注意：{len(done.stray_notes)} 条 dyxx 的批注所在单元格在校验后被移动"
            f"（{_listed(done.stray_notes)}），批注已删除，但无法确定原来的填充色，请检查这些单元格"
        )
    if done.skipped:
        lines.append(
            f"注意：{len(done.skipped)} 个标注未能恢复（{_listed(done.skipped)}）："
            "这些单元格在校验后被改动或移动，请检查其填充色"
        )
    ok = not (done.skipped or done.stray_notes)
    job.result = {
        "verdict": {"ok": ok, "text": "导入用工作簿已生成" + ("" if ok else "，有标注未能恢复")},
        "lines": lines,
    }


def _listed(cells: list[str]) -> str:
    return "、".join(cells[:LISTED]) + ("等" if len(cells) > LISTED else "")
