"""What the tests share: workbook factories, the rule cases, the command-line runner.

Fixtures live in tests/conftest.py; everything else a second test module needs lives here,
so no test module imports another.
"""
