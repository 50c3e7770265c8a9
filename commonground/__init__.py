"""Common Ground: the application factory (commonground/app.py), configuration, extensions,
domain exceptions and their one mapping to HTTP, the CLI.

Deliberately empty: importing any module of the package must not load Flask or SQLAlchemy.
"""
