"""Writing a file safely: all or nothing, never through a planted symlink, nothing lost.

Used by ``--fix`` and ``--write-baseline``. The new text goes to a temporary file created
with an unpredictable name and ``O_CREAT | O_EXCL | O_NOFOLLOW`` in the target's own folder
(``tempfile.mkstemp``), so a symlink or file planted at a guessable name (``FILE.tmp``) is
never opened or written through; it is flushed to disk and then renamed over the target
(``os.replace``, atomic on one file system), which replaces the target's directory entry
and never follows a symlink there either. The original is left untouched unless the whole
new text is on disk: a full disk or any other error removes the temporary file and says so.
"""

from __future__ import annotations

import errno
import os
import stat


class WriteRefused(Exception):
    """The file is not written (the reason is the message); the original is intact."""


def check_writable(path: str, replace_existing: bool = True) -> os.stat_result | None:
    """Refuse up front what cannot be written safely: the target's stat (None: new file)."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise WriteRefused(f"folder {folder} does not exist")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if replace_existing:
            raise WriteRefused("no longer exists (deleted since it was read): not written") from None
        st = None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise WriteRefused("is a symlink: not written through it")
        if not stat.S_ISREG(st.st_mode):
            raise WriteRefused("is not a regular file: not written")
        if replace_existing and st.st_nlink > 1:
            raise WriteRefused(f"has {st.st_nlink} hard links: replacing it would split them from "
                               "this copy; not written (edit it by hand)")
        if replace_existing and not os.access(path, os.W_OK):
            raise WriteRefused("is read-only: not written")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteRefused(f"folder {folder} is read-only: cannot replace the file atomically")
    return st


def write_atomic(path: str, data: bytes, replace_existing: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its mode and owner.

    ``path`` must be the file itself, not a symlink (refused). Raises WriteRefused with a
    reason; the original is then exactly as it was.
    """
    st = check_writable(path, replace_existing)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        import tempfile  # only when writing: it imports shutil, bz2, lzma, random
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".multus-lint",
                                   dir=folder)
    except OSError as exc:
        raise WriteRefused(f"cannot create a temporary file in {folder}: {exc.strerror}") from exc
    try:
        try:
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
                if st.st_uid != os.geteuid() or st.st_gid != os.getegid():
                    try:
                        os.fchown(fd, st.st_uid, st.st_gid)
                    except PermissionError:
                        raise WriteRefused("belongs to another user or group, which a rewrite "
                                           "cannot keep: not written") from None
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace_existing:
            # the target must still be the file checked above (not swapped for a symlink)
            try:
                now = os.lstat(path)
            except FileNotFoundError:
                raise WriteRefused("was deleted while it was being fixed: not written") from None
            if st is not None and (now.st_ino, now.st_dev) != (st.st_ino, st.st_dev):
                raise WriteRefused("was replaced while it was being fixed: not written")
        os.replace(tmp, path)
    except WriteRefused:
        _remove(tmp)
        raise
    except OSError as exc:
        _remove(tmp)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise WriteRefused("no space left on the device: the original is left unchanged") from exc
        raise WriteRefused(f"cannot be written ({exc.strerror}): the original is left unchanged") from exc
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
