"""The committee's workflow after the branches hand in their workbooks (邵组通〔2017〕26号 二、三).

One module per step, each behind a ``dyxx`` command (see :mod:`addin.cli.workflow`):

- :mod:`~addin.workflow.merge` (``dyxx merge``): 汇总 of branch workbooks into one 附件3/附件4,
  checked as one submission, with the 统计核对 and 数据质量 sheets of
  :mod:`~addin.workflow.summary`;
- :mod:`~addin.workflow.forms_output` (``dyxx forms``): the 附件1/附件2 forms pre-filled for
  printing, one workbook (and PDF) per branch;
- :mod:`~addin.workflow.sample` (``dyxx sample``): the 检查验收 sample;
- :mod:`~addin.workflow.diff` (``dyxx diff``): 更新维护 changes between two summaries;
- :mod:`~addin.workflow.verify` (``dyxx verify``): is a stamped workbook still what was checked;
- :mod:`~addin.workflow.clean` (``dyxx clean``): remove everything dyxx added before import.

Shared helpers live in :mod:`~addin.workflow.common` and :mod:`~addin.workflow.sheets`.
"""
