"""Facts derived from what files hold, kept between runs beside the per-file cache.

A warm pre-commit run still judges the named files against every NAD of the repository:
range overlaps are found across all of them. Reading each NAD's IPAM config as its plugin
reads it (net.addresses.analyze_ipam: Go's address parsing, done in Python) was an eighth of
such a run, and it depends on that config alone. So its result is kept here, keyed by a
digest of the input (``repr`` of plain data: it tells a list from a tuple, 1 from 1.0 and
True, as the analysis does) and, through the file's name, by the cache key of load.cache
(the linter's version, the settings) and the size and mtime of the modules that compute
the facts: a development checkout that changes the analysis never reuses the old one's.

A fact is looked up, or computed and kept, through ``remembered``; its codec turns it into
plain JSON data and back, and refuses anything it did not write (a planted or corrupt file
makes the linter compute the fact again, never judge something else). The file is written
atomically (load.cache.write_cache_file), only by a run that looked a fact up, and then
holds the facts that run used or made: what the repository holds now, not every config it
ever held.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from multus_lint.load.cache import FORMAT, read_cache, stamp, write_cache_file
from multus_lint.load.digests import hexdigest

# the modules whose code the kept facts are the output of (paths below the package)
FACT_MODULES = ("net/addresses.py", "net/gojson.py", "net/ipam_codec.py", "load/facts.py")


def facts_signature() -> str:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return "|".join(stamp(os.path.join(here, *name.split("/")), name) for name in FACT_MODULES)


class FactCache:
    """The facts of one cache key (load.cache.FileCache.key): kind -> input digest -> the
    codec's plain data."""

    def __init__(self, directory: str, cache_key: str) -> None:
        self.directory = directory
        self.key = hexdigest(f"{cache_key}\0{facts_signature()}".encode("utf-8", "surrogatepass"), 10)
        self.file = os.path.join(directory, f"facts-{self.key}.cache")
        self.stored: dict[str, Any] | None = None  # None: not read yet
        self.kept: dict[str, dict[str, Any]] = {}  # what this run used or made (what is saved)

    def _load(self) -> dict[str, Any]:
        if self.stored is None:
            raw = read_cache(self.file, self.key)
            found = None
            if raw is not None:
                try:
                    found = json.loads(raw[1])
                except (ValueError, RecursionError, MemoryError):
                    found = None
            self.stored = found if isinstance(found, dict) else {}
        return self.stored

    def remembered(self, kind: str, key: str, compute: Callable[[], Any],
                   encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> Any:
        """The fact ``kind`` of the input whose digest is ``key``: decoded from the file when
        it holds one that decodes (``decode`` gives None for anything else), else
        ``compute()``, kept when ``encode`` can write it (it raises TypeError or ValueError
        for a value it cannot)."""
        of_kind = self._load().get(kind)
        raw = of_kind.get(key) if isinstance(of_kind, dict) else None
        if raw is not None:
            value = decode(raw)
            if value is not None:
                self.kept.setdefault(kind, {})[key] = raw
                return value
        value = compute()
        try:
            raw = encode(value)
        except (TypeError, ValueError, OverflowError):
            return value
        self.kept.setdefault(kind, {})[key] = raw
        return value

    def save(self) -> None:
        """Write the facts this run used or made, when they differ from the file's."""
        if self.stored is None:
            return  # no fact looked up: the file stays as it is
        # a fact used is kept as the file's own value, so the two are equal exactly when the
        # run used every fact of the file and made none (a new one, or one computed again in
        # place of a value that did not decode, differs; so does anything else in the file)
        if self.kept == self.stored:
            return
        try:
            payload = json.dumps(self.kept, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        except (TypeError, ValueError, RecursionError):
            return
        write_cache_file(self.directory, self.file, "facts-", {"format": FORMAT, "key": self.key}, payload)


def input_key(*parts: Any) -> str:
    """The digest a fact of these inputs (plain data) is kept under."""
    return hexdigest(repr(parts).encode("utf-8", "surrogatepass"), 16)
