"""Operational maintenance of the portal.

- ``backup``: online backup of the database (SQLite backup API, or ``pg_dump`` for PostgreSQL) together
  with the uploaded files into one verifiable ``.tar.gz`` archive, and its restore. Pure functions that
  take a SQLAlchemy URL/engine and the upload folder; no Flask imports.
- ``cli``: ``flask portal backup`` and ``flask portal restore``.
"""
