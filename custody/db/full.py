"""Recognising a full disk in whatever error it arrives as.

A full disk reaches the app as the operating system's ``ENOSPC`` (photos),
SQLite's ``SQLITE_FULL`` ("database or disk is full"), or PostgreSQL's SQLSTATE
53100 ``disk_full`` — raw from the driver or wrapped by SQLAlchemy. Any of
them means nothing new was stored and the request can be retried once space
returns; nothing already stored is touched (the transaction rolls back, a photo
is renamed into place only once written whole).
"""

from __future__ import annotations

import errno

SQLITE_FULL = 13
PG_DISK_FULL = "53100"
_OS_FULL = (errno.ENOSPC, errno.EDQUOT)


def is_storage_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an error it wraps or was raised from, says the disk is full."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _OS_FULL:
            return True
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF == SQLITE_FULL:
            return True
        if getattr(exc, "sqlstate", None) == PG_DISK_FULL:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False
