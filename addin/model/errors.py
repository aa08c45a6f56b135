"""The one exception users see: a workbook that cannot be read or written."""

from __future__ import annotations

import errno
from pathlib import Path

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
