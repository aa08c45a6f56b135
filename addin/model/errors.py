"""The one exception users see: a workbook that cannot be read or written."""

from __future__ import annotations

import errno
import os
import traceback
from pathlib import Path

DEBUG_VARIABLE = "DYXX_DEBUG"  # =1: show Python's own traceback (it may quote cell values)

# What the operating system said, in Chinese: its own words (strerror) are English.
OS_PROBLEMS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "磁盘配额已满",
    errno.EACCES: "没有{verb}权限",
    errno.EPERM: "没有{verb}权限",
    errno.EROFS: "所在磁盘是只读的",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.EEXIST: "同名的文件已存在",
    errno.EIO: "磁盘读写出错",
    errno.ELOOP: "链接指向自身（循环的符号链接）",
    errno.EMFILE: "打开的文件太多",
    errno.EBUSY: "文件正被其他程序使用",
    errno.ETXTBSY: "文件正被其他程序使用",
}


class WorkbookError(Exception):
    """A workbook that cannot be checked; the message is Chinese and names the file.

    It never carries cell values: only the file name and what is wrong with it.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{Path(path).name}：{problem}")


def os_message(exc: OSError, verb: str = "写入") -> str:
    """An operating-system error in Chinese, its code kept for the maintainers.

    >>> os_message(FileNotFoundError(errno.ENOENT, "No such file or directory"), "读取")
    '文件或文件夹不存在（错误代码 2）'
    >>> os_message(PermissionError(errno.EACCES, "Permission denied"), "读取")
    '没有读取权限（错误代码 13）'
    """
    problem = OS_PROBLEMS.get(exc.errno or 0, f"{verb}失败").format(verb=verb)
    return f"{problem}（错误代码 {exc.errno}）" if exc.errno else problem


def debugging() -> bool:
    """True when ``DYXX_DEBUG=1``: errors are raised with their traceback, not summarised."""
    return os.environ.get(DEBUG_VARIABLE) == "1"


def internal_error(exc: BaseException) -> str:
    """An unexpected error in one Chinese line: its type and where, never its message.

    A traceback can quote the data being processed (ID numbers, names).
    """
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f"{os.path.basename(frame.filename)}:{frame.lineno}" if frame else "未知位置"
    return (
        f"dyxx 内部错误（{type(exc).__name__}，位于 {where}）。"
        f"为免泄露个人信息，未显示详细内容；设置环境变量 {DEBUG_VARIABLE}=1 可查看完整错误。"
        "请把这一行报告给维护人员。"
    )
