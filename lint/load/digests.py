"""Content hashes of the cache (load.cache, replay): BLAKE2b from CPython's own ``_blake2``.

``hashlib`` loads OpenSSL's library on import, ~3.5 ms of every cached run's start (a
pre-commit run is a few hundred ms); ``_blake2`` is the module hashlib itself takes
BLAKE2b from, without OpenSSL. Only cache keys and contents are hashed here: the
fingerprints of reports and baselines (findings.fingerprint, SARIF) are sha256 for good.
"""

from __future__ import annotations

from typing import Any

try:
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - a Python built without its _blake2 module
    from hashlib import blake2b as _blake2b


def hexdigest(data: bytes, size: int = 16) -> str:
    return _blake2b(data, digest_size=size).hexdigest()


def hasher(size: int = 20) -> Any:
    """An incremental hash (``update``, ``hexdigest``)."""
    return _blake2b(digest_size=size)
