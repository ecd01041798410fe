"""Fingerprint a recording by its content.

The hash, not the file name, identifies a call: recorders and supervisors
rename and move files, and importing the same folder twice must not create
duplicate calls for evaluation.
"""

from __future__ import annotations

import hashlib

__all__ = ["content_hash"]

_BLOCK_BYTES = 1024 * 1024  # recordings can be hundreds of MB; never hold one in memory


def content_hash(path) -> tuple[str, int]:
    """Return (SHA-256 hex digest, size in bytes) of the file at ``path``.

    The size is the number of bytes actually hashed, not a separate stat, so
    the two always describe the same content even if the recorder is still
    appending to the file while we read it.
    """
    digest = hashlib.sha256()
    size = 0
    block = bytearray(_BLOCK_BYTES)
    view = memoryview(block)
    with open(path, "rb", buffering=0) as file:
        while count := file.readinto(block):
            digest.update(view[:count])
            size += count
    return digest.hexdigest(), size
