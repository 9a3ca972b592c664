"""Close the session a failed login leaves behind.

python-pkcs11's Token.open calls C_OpenSession then C_Login; when the login fails
it raises without closing the session it opened, and the handle is not exposed.
We reach the same loaded module through ctypes (dlopen returns the same instance)
and call C_CloseAllSessions for that slot, via C_GetFunctionList as the standard
requires rather than relying on exported symbols.
"""

from __future__ import annotations

import ctypes

from signer.hsm.function_list import CK_RV, function_list

CK_SLOT_ID = ctypes.c_ulong


def close_all_sessions(module_path: str, slot_id: int) -> None:
    """C_CloseAllSessions(slot_id) on the already initialised module."""
    functions = function_list(module_path)
    if functions is None or not functions.C_CloseAllSessions:
        return
    close_all = ctypes.CFUNCTYPE(CK_RV, CK_SLOT_ID)(functions.C_CloseAllSessions)
    close_all(CK_SLOT_ID(slot_id))
