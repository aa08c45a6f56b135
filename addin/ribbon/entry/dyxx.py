"""The module the 校验 button imports: ``dyxx.xlam`` runs ``import dyxx; dyxx.main()``.

Before checking, a workbook that could have taken over the add-in is refused
(:mod:`addin.excel.configguard`).
"""

import xlwings as xw

from addin.excel.configguard import folder_of, refusal
from addin.ribbon import action


def main() -> None:
    """Refuse a workbook that could take over the add-in; otherwise check it."""
    book = xw.Book.caller()
    try:
        fullname = book.fullname
    except Exception:  # xlwings could not map a OneDrive/SharePoint address to a folder
        fullname = ""
    problem = refusal([sheet.name for sheet in book.sheets], folder_of(fullname))
    if problem:
        book.app.alert(problem, title=action.TITLE, mode="critical")
        return
    action.main()
