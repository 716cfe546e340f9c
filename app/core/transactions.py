"""One way to write several rows: all of them or none (no web imports)."""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def atomic(session, commit: bool = True):
    """Run the block as one unit of work: flush and (unless ``commit`` is False, when the caller owns
    the transaction) commit at the end; roll everything back on any exception and re-raise it."""
    try:
        yield session
        session.flush()
        if commit:
            session.commit()
    except BaseException:
        session.rollback()
        raise
