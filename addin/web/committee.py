"""The committee's pages: 汇总, 采集表, 抽查, 变动 — each through its workflow functions."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from addin.model.safename import file_stem
from addin.web.checking import findings_of, grid, relabelled, row_people
from addin.web.jobs import Job
from addin.web.steps import Given
from addin.write import outputs


def run_merge(job: Job, given: Given) -> None:
    """``dyxx merge``: the summary workbook, its findings, 统计核对 and the 数据质量 chart."""
    from addin.workflow.common import day_text
    from addin.workflow.merge import merge_files
    from addin.workflow.summary import quality, statistics, write_summary

    files = given.files["files"]
    mask = given.flag("mask")
    with outputs.run(files):
        job.progress(f"读取并校验 {len(files)} 个文件", 0, 2)
        merged = merge_files(files, given.passwords(files), None)
        report = merged.report.masked() if mask else merged.report
        committee = given.text("committee") or merged.committee
        day = date.fromisoformat(given.text("date")) if given.text("date") else date.today()
        job.progress("写出汇总表", 1, 2)
        target = given.out / f"{file_stem(committee or '汇总表')}_汇总.xlsx"
        write_summary(
            merged,
            target,
            committee=committee,
            summary_date=day_text(day),
            mask=mask,
            secret=given.secret(),
        )
    job.offer("汇总表", target)
    rated = quality(merged, report)
    people = statistics(merged)
    counts = {kind: len(rows) for kind, rows in merged.rows.items()}
    verdict = "通过" if report.passed else "未通过"
    job.result = {
        "verdict": {"ok": report.passed, "text": f"汇总完成，校验{verdict}"},
        "lines": [
            f"汇总 {len(files)} 个文件：党组织 {counts['orgs']} 个，党员 {counts['members']} 行"
            f"（不重复 {people[-1].distinct} 人）；"
            f"错误 {report.errors} 个，警告 {report.warnings} 个"
        ],
        "tables": [statistics_grid(people), quality_grid(rated)],
        "chart": {
            "title": "数据质量：各报送文件有错误的行所占比例",
            "bars": [{"label": q.label, "value": q.rate, "text": f"{q.rate:.1%}"} for q in rated],
        },
        **findings_of(relabelled(report), row_people(merged.tables)),
    }


def statistics_grid(counts: list) -> dict[str, object]:
    headers = ["报送文件", "党员（行）", "不重复人数", "正式党员", "预备党员", "类别不明"]
    headers += ["失联", "流动", "停止党籍", "党组织"]
    names = ("members", "distinct", "full", "probationary", "category_unknown", "lost")
    names += ("flowing", "stopped", "orgs")
    rows = [[c.label, *(getattr(c, name) for name in names)] for c in counts]
    return grid("统计核对", headers, rows)


def quality_grid(rated: list) -> dict[str, object]:
    headers = ["报送文件", "行数", "有错误的行", "错误", "警告", "错误率", "主要问题"]
    rows = [
        [q.label, q.rows, q.error_rows, q.errors, q.warnings, f"{q.rate:.1%}", q.top()]
        for q in rated
    ]
    return grid("数据质量", headers, rows)


def run_forms(job: Job, given: Given) -> None:
    """``dyxx forms``: the 附件1/附件2 workbooks (and PDFs), handed over as one zip."""
    from addin.workflow.common import read_all
    from addin.workflow.forms_output import write_forms
    from addin.workflow.libreoffice import soffice

    [file] = given.files["file"]
    folder = given.out / "采集表"
    secret = given.secret()
    stages = {"forms": "生成采集表工作簿", "pdf": "生成 PDF"}
    with outputs.run([file]):
        job.progress("读取汇总表")
        tables = read_all([file], given.passwords())
        program = soffice() if given.flag("pdf") and not secret else None
        written = write_forms(
            tables,
            file,
            folder,
            secret,
            program=program,
            progress=lambda step, done, total: job.progress(stages[step], done, total),
        )
        books = written.workbooks
        job.progress("打包", len(books), len(books))
        target = given.out / f"{file_stem(file.stem)}_采集表.zip"
        outputs.write_atomically(target, zipped(folder))
    job.offer("采集表（zip：每个党支部一个工作簿" + ("和 PDF）" if written.pdfs else "）"), target)
    sheets = sum(len(b.orgs) + len(b.members) for b, _p in books)
    lines = [f"生成 {len(books)} 个工作簿、{sheets} 张采集表"]
    if given.flag("pdf") and not written.pdfs:
        lines.append(
            "输出已加密：未生成 PDF（PDF 无法加密）"
            if secret
            else f"PDF 生成失败：{written.pdf_problem}"
            if written.pdf_problem
            else "未找到 LibreOffice，未生成 PDF；工作簿可直接在 Excel、WPS 中打印"
        )
    rows = [[b.name, len(b.orgs), len(b.members), p.name] for b, p in books]
    job.result = {
        "verdict": {"ok": True, "text": "采集表已生成"},
        "lines": lines,
        "tables": [grid("采集表", ["党支部", "附件1", "附件2", "工作簿"], rows)],
    }


def zipped(folder) -> bytes:
    """The folder's files in one zip (their names as written, safe already)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith(outputs.TEMP_PREFIX):
                archive.write(path, path.name)
    return buffer.getvalue()


def run_sample(job: Job, given: Given) -> None:
    """``dyxx sample``: the 抽查 checklist."""
    import secrets

    from addin.model.errors import WorkbookError
    from addin.workflow.common import read_all
    from addin.workflow.sample import draw, write_sample

    [file] = given.files["file"]
    try:
        ratio = float(given.text("ratio") or "0.1")
        seed = int(given.text("seed")) if given.text("seed") else secrets.randbelow(1_000_000)
    except ValueError:
        raise WorkbookError(file, "抽样比例应为 0 到 1 之间的数，随机种子应为非负整数") from None
    if not 0 < ratio <= 1 or seed < 0:
        raise WorkbookError(file, "抽样比例应大于 0、不超过 1，随机种子应为非负整数")
    with outputs.run([file]):
        job.progress("读取汇总表")
        drawn = draw(file, read_all([file], given.passwords()), ratio, seed)
        target = given.out / f"{file_stem(file.stem)}_抽查清单.xlsx"
        write_sample(drawn, target, mask=given.flag("mask"), secret=given.secret())
    job.offer("抽查清单", target)
    rows = [
        [b.name, b.members, b.drawn_members, "是" if b.org_drawn else ""] for b in drawn.branches
    ]
    job.result = {
        "verdict": {"ok": True, "text": "抽查清单已生成"},
        "lines": [
            f"从 {drawn.totals['orgs']} 个党组织、{drawn.totals['members']} 名党员中抽取"
            f"党组织 {len(drawn.orgs)} 个、党员 {len(drawn.members)} 名，"
            f"覆盖全部 {len(drawn.branches)} 个党组织（党支部）；"
            f"抽样比例 {ratio:g}，随机种子 {seed}"
        ],
        "tables": [
            grid("覆盖情况", ["党组织（党支部）", "党员", "抽查党员", "抽查党组织信息"], rows)
        ],
    }


def run_diff(job: Job, given: Given) -> None:
    """``dyxx diff``: the changes between two summaries."""
    from addin.workflow.common import read_all
    from addin.workflow.diff import SUBJECTS, compare, write_diff

    [old], [new] = given.files["old"], given.files["new"]
    with outputs.run([old, new]):
        passwords = given.passwords()
        job.progress("读取两份汇总表")
        found = compare(old, read_all([old], passwords), new, read_all([new], passwords))
        target = given.out / "变动清单.xlsx"
        write_diff(found, target, mask=given.flag("mask"), secret=given.secret())
    job.offer("变动清单", target)
    rows = [
        [SUBJECTS[k], "总数（原 → 新）", f"{a} → {b}", ""] for k, (a, b) in found.totals.items()
    ]
    rows += [[SUBJECTS[k], event, n, who] for k, event, n, who in found.counts()]
    lines = [f"共 {len(found.changes)} 处变动"]
    lines += [
        f"注意：{n} 个{SUBJECTS[k]}的身份证号或名称出现不止一次，已按出现顺序对应；请先校验处理重复"
        for k, n in found.ambiguous.items()
    ]
    job.result = {
        "verdict": {"ok": not found.changes, "text": "有变动" if found.changes else "没有变动"},
        "lines": lines,
        "tables": [grid("变动统计", ["对象", "变动类型", "条数", "涉及"], rows)],
    }
