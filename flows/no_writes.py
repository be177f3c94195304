"""The kernel's own read-only boundary for ``entrepot sql``: Linux Landlock.

DuckDB's settings (``enable_external_access`` and friends) stop a query from reading or writing
other files, but DuckDB always lets a connection write its own database file, WAL and temporary
directory (``COPY (SELECT 1) TO '<warehouse>' (USE_TMP_FILE false)`` overwrites the warehouse even
on a read-only, locked-down connection). Landlock closes that at the kernel: after
:func:`forbid_writes` the calling thread, and every thread it starts afterwards, can create, write,
truncate, rename or remove no file anywhere and open no TCP connection; files already open (stdout)
stay usable. Threads running before the call are not bound: call it before opening DuckDB (whose
worker threads start with the database) and in a process of its own (``flows.sql`` forks one). Where the kernel has no Landlock (Linux before 5.13, other systems) it returns False
and the engine's settings and the statement check are the boundary.
"""

from __future__ import annotations

import ctypes
import os
import sys

_CREATE_RULESET, _RESTRICT_SELF = 444, 446  # the same number on every Linux architecture
_CREATE_RULESET_VERSION = 1
_PR_SET_NO_NEW_PRIVS = 38

# access rights that change the file system, by the Landlock ABI that introduced them
_WRITE_RIGHTS = {
    1: (1 << 1) | (1 << 4) | (1 << 5) | sum(1 << bit for bit in range(6, 13)),
    2: 1 << 13,  # REFER: linking or renaming across directories
    3: 1 << 14,  # TRUNCATE
    5: 1 << 15,  # IOCTL_DEV
}
_NET_BIND_AND_CONNECT_TCP = 0b11  # ABI 4


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64)]


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    version = libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(0, int(version))


def forbid_writes() -> bool:
    """From now on this process writes no file and opens no TCP connection; False without Landlock."""
    abi = landlock_abi()
    if abi < 1:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    attr = _RulesetAttr(
        handled_access_fs=sum(bits for since, bits in _WRITE_RIGHTS.items() if abi >= since),
        handled_access_net=_NET_BIND_AND_CONNECT_TCP if abi >= 4 else 0,
    )
    size = ctypes.sizeof(_RulesetAttr) if abi >= 4 else ctypes.sizeof(ctypes.c_uint64)
    ruleset = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if libc.syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    return True
