"""The folder the add-in's PYTHONPATH names: it holds only ``dyxx.py``.

The ribbon button of ``dyxx.xlam`` runs ``import dyxx; dyxx.main()`` (the
template's VBA imports the module named after the add-in file), so this folder
is put on ``sys.path`` by the add-in's config sheet, and by nothing else.
"""
