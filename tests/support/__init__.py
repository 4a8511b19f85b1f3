"""What ``tests/conftest.py`` builds its fixtures from; test modules reach it only through those fixtures.

``probe`` is the exception by design: parser processes load its functions by dotted name (``XXGK_PARSER``).
"""
