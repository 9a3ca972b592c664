"""The loaded PKCS#11 module's own C functions, reached through ctypes.

python-pkcs11 does everything else. Two things need the C functions themselves:
closing the session a failed login leaves behind (cleanup.py), and the ECDSA signing
call on the signing pipeline's hot path (EcdsaCall). The function list is found with
C_GetFunctionList as the standard requires, not through exported symbols; dlopen
returns the module instance python-pkcs11 initialised, so sessions and object
handles are shared with it.
"""

from __future__ import annotations

import ctypes
from functools import cache

CK_ULONG = ctypes.c_ulong
CK_RV = CK_ULONG
CKM_ECDSA = 0x1041
# secp256k1 r || s is 64 bytes; room to spare, so C_Sign never needs a length query.
_SIGNATURE_ROOM = 512

# CK_FUNCTION_LIST (PKCS#11 v2.40, section 5.1), in order, up to the last one used.
_FUNCTION_NAMES = (
    "C_Initialize", "C_Finalize", "C_GetInfo", "C_GetFunctionList", "C_GetSlotList",
    "C_GetSlotInfo", "C_GetTokenInfo", "C_GetMechanismList", "C_GetMechanismInfo",
    "C_InitToken", "C_InitPIN", "C_SetPIN", "C_OpenSession", "C_CloseSession",
    "C_CloseAllSessions", "C_GetSessionInfo", "C_GetOperationState", "C_SetOperationState",
    "C_Login", "C_Logout", "C_CreateObject", "C_CopyObject", "C_DestroyObject",
    "C_GetObjectSize", "C_GetAttributeValue", "C_SetAttributeValue", "C_FindObjectsInit",
    "C_FindObjects", "C_FindObjectsFinal", "C_EncryptInit", "C_Encrypt", "C_EncryptUpdate",
    "C_EncryptFinal", "C_DecryptInit", "C_Decrypt", "C_DecryptUpdate", "C_DecryptFinal",
    "C_DigestInit", "C_Digest", "C_DigestUpdate", "C_DigestKey", "C_DigestFinal",
    "C_SignInit", "C_Sign",
)  # fmt: skip

# The codes a signing call meets when a token goes away or a session ends.
_RV_NAMES = {
    0x05: "CKR_GENERAL_ERROR", 0x06: "CKR_FUNCTION_FAILED", 0x30: "CKR_DEVICE_ERROR",
    0x31: "CKR_DEVICE_MEMORY", 0x32: "CKR_DEVICE_REMOVED", 0x60: "CKR_KEY_HANDLE_INVALID",
    0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED", 0x70: "CKR_MECHANISM_INVALID",
    0x90: "CKR_OPERATION_ACTIVE", 0xB3: "CKR_SESSION_HANDLE_INVALID",
    0xE0: "CKR_TOKEN_NOT_PRESENT", 0x101: "CKR_USER_NOT_LOGGED_IN",
}  # fmt: skip


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte)]


class FunctionList(ctypes.Structure):
    _fields_ = [("version", _Version)] + [(name, ctypes.c_void_p) for name in _FUNCTION_NAMES]


class _Mechanism(ctypes.Structure):
    _fields_ = [("mechanism", CK_ULONG), ("parameter", ctypes.c_void_p),
                ("parameter_len", CK_ULONG)]


@cache
def function_list(module_path: str) -> FunctionList | None:
    """The module's CK_FUNCTION_LIST, or None if it will not give one."""
    library = ctypes.CDLL(module_path)
    head = ctypes.POINTER(FunctionList)()
    get_list = library.C_GetFunctionList
    get_list.restype = CK_RV
    get_list.argtypes = [ctypes.POINTER(ctypes.POINTER(FunctionList))]
    if get_list(ctypes.byref(head)) != 0 or not head:
        return None
    return head.contents


def rv_name(rv: int) -> str:
    return _RV_NAMES.get(rv, f"CKR 0x{rv:x}")


class EcdsaCall:
    """C_SignInit + C_Sign with CKM_ECDSA over a digest: the raw ``r || s``.

    Through python-pkcs11 one signature gives up the GIL three times (init, a length
    query, the signature), and a thread that signs while another works waits for the GIL
    after each. C_Sign gets a buffer large enough for any ECDSA signature, so there is no
    length query: two hand-overs. (Keeping the GIL through C_SignInit instead was
    measured slower: SoftHSM takes about 27 us there, which stalls the other thread.)
    The caller holds the gateway lock, as for every PKCS#11 call.
    """

    def __init__(self, module_path: str) -> None:
        functions = function_list(module_path)
        if functions is None or not functions.C_SignInit or not functions.C_Sign:
            raise OSError(f"{module_path}: no C_SignInit/C_Sign in its function list")
        # CFUNCTYPE: the GIL is released for the call.
        self._init = ctypes.CFUNCTYPE(
            CK_RV, CK_ULONG, ctypes.POINTER(_Mechanism), CK_ULONG)(functions.C_SignInit)
        self._sign = ctypes.CFUNCTYPE(
            CK_RV, CK_ULONG, ctypes.c_char_p, CK_ULONG, ctypes.c_char_p,
            ctypes.POINTER(CK_ULONG))(functions.C_Sign)
        self._mechanism = _Mechanism(CKM_ECDSA, None, 0)

    def __call__(self, session: int, key: int, digest: bytes) -> tuple[int, bytes]:
        """(CKR code, signature): the signature is empty unless the code is CKR_OK (0)."""
        rv = self._init(session, ctypes.byref(self._mechanism), key)
        if rv != 0:
            return rv, b""
        out = ctypes.create_string_buffer(_SIGNATURE_ROOM)
        length = CK_ULONG(_SIGNATURE_ROOM)
        rv = self._sign(session, digest, len(digest), out, ctypes.byref(length))
        return rv, out.raw[: length.value] if rv == 0 else b""
