"""Close the session a failed login leaves behind.

python-pkcs11's Token.open calls C_OpenSession then C_Login; when the login fails
it raises without closing the session it opened, and the handle is not exposed.
We reach the same loaded module through ctypes (dlopen returns the same instance)
and call C_CloseAllSessions for that slot, via C_GetFunctionList as the standard
requires rather than relying on exported symbols.
"""

from __future__ import annotations

import ctypes

CK_RV = ctypes.c_ulong
CK_SLOT_ID = ctypes.c_ulong
# Position of C_CloseAllSessions in CK_FUNCTION_LIST (PKCS#11 v2.40, section 5.1).
_FUNCTION_NAMES = (
    "C_Initialize",
    "C_Finalize",
    "C_GetInfo",
    "C_GetFunctionList",
    "C_GetSlotList",
    "C_GetSlotInfo",
    "C_GetTokenInfo",
    "C_GetMechanismList",
    "C_GetMechanismInfo",
    "C_InitToken",
    "C_InitPIN",
    "C_SetPIN",
    "C_OpenSession",
    "C_CloseSession",
    "C_CloseAllSessions",
)


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte)]


class _FunctionListHead(ctypes.Structure):
    _fields_ = [("version", _Version)] + [(name, ctypes.c_void_p) for name in _FUNCTION_NAMES]


def close_all_sessions(module_path: str, slot_id: int) -> None:
    """C_CloseAllSessions(slot_id) on the already initialised module."""
    library = ctypes.CDLL(module_path)
    head = ctypes.POINTER(_FunctionListHead)()
    get_list = library.C_GetFunctionList
    get_list.restype = CK_RV
    get_list.argtypes = [ctypes.POINTER(ctypes.POINTER(_FunctionListHead))]
    if get_list(ctypes.byref(head)) != 0 or not head:
        return
    pointer = head.contents.C_CloseAllSessions
    if not pointer:
        return
    close_all = ctypes.CFUNCTYPE(CK_RV, CK_SLOT_ID)(pointer)
    close_all(CK_SLOT_ID(slot_id))
