"""Text from the input, made safe to print.

A manifest is untrusted text: a YAML string can hold terminal escapes (OSC 52 writes the
clipboard, OSC 0 the window title), bidirectional overrides that reorder what a reviewer
reads, NUL and other characters XML cannot carry, and lone surrogates (a JSON ``"\\udc00"``
escape, or a file name that is not UTF-8, which Python hands over surrogate-escaped) that
no UTF-8 stream can encode. Every format shows such characters as backslash escapes
instead; a name's undecodable byte is shown as the byte (``\\xff``), which is what it is.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

# C0 and C1 controls, DEL, bidi embedding/override/isolate marks, line and paragraph
# separators, surrogates, and the two non-characters XML 1.0 excludes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                     "\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _one(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    cp = ord(ch)
    if 0xDC80 <= cp <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
        return f"\\x{cp - 0xDC00:02x}"
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def printable(text: str) -> str:
    """``text`` with every control, bidi, separator and surrogate character escaped."""
    return _UNSAFE.sub(_one, text) if _UNSAFE.search(text) else text


def frame_text(text: str) -> str:
    """A source line for a code frame: tabs as one space (the caret's column counts them as
    one character), everything else unsafe escaped."""
    return printable(text.replace("\t", " "))


def uri_path(path: str) -> str:
    """A relative path as a percent-encoded URI reference (RFC 3986): spaces, ``#``, ``%``,
    non-ASCII and undecodable bytes encoded, ``/`` kept."""
    try:
        raw = os.fsencode(path)  # the file name's own bytes, undecodable ones included
    except UnicodeEncodeError:
        raw = path.encode("utf-8", "surrogatepass")
    # ':' is encoded too: in a first segment it would read as a URI scheme
    return quote(raw, safe="/-._~!$&'()*+,;=")


def encodable(text: str) -> str:
    """``text`` with lone surrogates escaped, so it encodes as UTF-8 (JSON string values stay
    exactly as they are; only the characters no encoder accepts change)."""
    return _SURROGATE.sub(_one, text) if _SURROGATE.search(text) else text


_SURROGATE = re.compile("[\ud800-\udfff]")
