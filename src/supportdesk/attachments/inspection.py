"""Reading a complete upload back from storage for the checks the policy core decides on:
its SHA-256, its first bytes, and how far an archive expands (archive bombs). Streams
throughout; decompression stops as soon as a limit is passed."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import tarfile
import zipfile
import zlib
from typing import BinaryIO

from supportdesk.attachments.storage import CHUNK, Storage
from supportdesk.policy.attachments import (
    SNIFF_BYTES,
    ExpansionLimits,
    check_content,
    check_expansion,
    is_archive,
)
from supportdesk.policy.errors import InputError


def sha256_of(storage: Storage, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in storage.read(key):
        digest.update(chunk)
    return digest.hexdigest()


def head_of(storage: Storage, key: str, size: int) -> bytes:
    return b"".join(storage.read(key, 0, min(size, SNIFF_BYTES) - 1))


class _Counting:
    """A read-only stream that counts what passes and refuses past ``limit`` bytes."""

    def __init__(self, inner: BinaryIO, limit: int, refuse: InputError) -> None:
        self.inner, self.limit, self.refuse, self.count = inner, limit, refuse, 0

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size if size is not None and size >= 0 else CHUNK)
        self.count += len(data)
        if self.count > self.limit:
            raise self.refuse
        return data


def _bomb(limits: ExpansionLimits) -> InputError:
    return InputError(
        "file",
        f"The archive expands more than {limits.max_ratio} times its size or past "
        f"{limits.max_expanded_bytes} bytes (an archive bomb?); it was refused.",
    )


def _zip(handle: BinaryIO, size: int, limits: ExpansionLimits) -> None:
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError("file", "The file is not a readable zip archive.") from None
    expanded = sum(member.file_size for member in members)
    check_expansion(
        compressed_bytes=size, expanded_bytes=expanded, members=len(members), limits=limits
    )
    # Overlapping members (one compressed stream counted many times) are a known bomb.
    spans = sorted((member.header_offset, member.compress_size) for member in members)
    for (start, length), (next_start, _) in itertools.pairwise(spans):
        if start + length > next_start:
            raise InputError("file", "The zip archive's members overlap (an archive bomb?).")


def _gzip(handle: BinaryIO, size: int, limits: ExpansionLimits, *, tar: bool) -> None:
    ceiling = min(limits.max_expanded_bytes, max(size, 1) * limits.max_ratio)
    stream = _Counting(gzip.GzipFile(fileobj=handle, mode="rb"), ceiling, _bomb(limits))  # type: ignore[arg-type]
    try:
        if tar:
            members = 0
            with tarfile.open(fileobj=stream, mode="r|") as archive:  # type: ignore[call-overload]
                for _ in archive:
                    members += 1
                    if members > limits.max_members:
                        break
            while stream.read(CHUNK):
                pass  # what follows the tar's end counts too
        else:
            members = 1
            while stream.read(CHUNK):
                pass
    except (OSError, EOFError, zlib.error, tarfile.TarError):
        kind = "a gzip-compressed tar archive" if tar else "gzip-compressed data"
        raise InputError("file", f"The file is not readable as {kind}.") from None
    check_expansion(
        compressed_bytes=size, expanded_bytes=stream.count, members=members, limits=limits
    )


def _tar(handle: BinaryIO, size: int, limits: ExpansionLimits) -> None:
    members = 0
    expanded = 0
    try:
        with tarfile.open(fileobj=handle, mode="r:") as archive:
            for member in archive:
                members += 1
                expanded += member.size
                if members > limits.max_members:
                    break
    except (tarfile.TarError, OSError, EOFError):
        raise InputError("file", "The file is not a readable tar archive.") from None
    check_expansion(compressed_bytes=size, expanded_bytes=expanded, members=members, limits=limits)


def check_upload(
    storage: Storage, key: str, *, suffix: str, size: int, limits: ExpansionLimits
) -> None:
    """The content checks of a complete upload; InputError naming "file" when one fails."""
    check_content(suffix, head_of(storage, key, size))
    if not is_archive(suffix):
        return
    with storage.open(key) as handle:
        if suffix == ".zip":
            _zip(handle, size, limits)
        elif suffix == ".tar":
            _tar(handle, size, limits)
        else:
            _gzip(handle, size, limits, tar=suffix in (".tar.gz", ".tgz"))
