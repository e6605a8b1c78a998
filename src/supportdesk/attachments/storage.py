"""Where attachment bytes live, behind one interface: a local folder (the default) or an
S3-compatible object store (for several web servers).

Keys are made by the server (:func:`new_key`: 32 hex digits), never from a file name, so no
name can reach outside the storage. An upload in progress is *pending*: its bytes are not
readable as an object until :meth:`Storage.commit`. Every method streams: memory use does not
grow with the size of a file.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

CHUNK = 1024 * 1024
_KEY = re.compile(r"^[0-9a-f]{32}$")

State = dict[str, Any]


def new_key() -> str:
    return secrets.token_hex(16)


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage(ABC):
    name: str

    @abstractmethod
    def create(self, key: str) -> State:
        """Start a pending upload; its bookkeeping to keep with the upload."""

    @abstractmethod
    def write(
        self, key: str, state: State, offset: int, chunks: Iterable[bytes], total: int
    ) -> tuple[int, State]:
        """Write ``chunks`` at ``offset`` of the pending upload (what was after ``offset``
        is dropped); the new offset and bookkeeping. ``total`` is the declared length: the
        write that reaches it is the last."""

    @abstractmethod
    def commit(self, key: str, state: State) -> None:
        """Make the complete pending upload readable as the object ``key``."""

    @abstractmethod
    def discard(self, key: str, state: State) -> None:
        """Drop a pending upload (and the object, if it was committed); no error if gone."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove a committed object; no error if it is gone."""

    @abstractmethod
    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The object's bytes ``start`` to ``end`` (inclusive; None: to the end)."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """The object as a seekable read-only file (for archive checks)."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether the committed object is there."""


class LocalStorage(Storage):
    """``<root>/pending/<key>`` while uploading, ``<root>/objects/<key>`` once committed (a
    rename on the same file system: never half there)."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _pending(self, key: str) -> Path:
        return self.root / "pending" / _checked(key)

    def _object(self, key: str) -> Path:
        return self.root / "objects" / _checked(key)

    def create(self, key: str) -> State:
        path = self._pending(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        return {}

    def write(
        self, key: str, state: State, offset: int, chunks: Iterable[bytes], total: int
    ) -> tuple[int, State]:
        written = 0
        with open(self._pending(key), "r+b", buffering=0) as handle:
            handle.seek(offset)
            handle.truncate()
            try:
                for chunk in chunks:
                    handle.write(chunk)
                    written += len(chunk)
            finally:
                os.fsync(handle.fileno())
        return offset + written, state

    def commit(self, key: str, state: State) -> None:
        target = self._object(key)
        if not self._pending(key).exists() and target.is_file():
            return  # committed already (a retried completion)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(self._pending(key), target)

    def discard(self, key: str, state: State) -> None:
        self._pending(key).unlink(missing_ok=True)
        self._object(key).unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        self._object(key).unlink(missing_ok=True)

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        with open(self._object(key), "rb") as handle:
            handle.seek(start)
            left = None if end is None else end - start + 1
            while left is None or left > 0:
                data = handle.read(CHUNK if left is None else min(CHUNK, left))
                if not data:
                    return
                if left is not None:
                    left -= len(data)
                yield data

    def open(self, key: str) -> BinaryIO:
        return open(self._object(key), "rb")

    def exists(self, key: str) -> bool:
        return self._object(key).is_file()


class S3Storage(Storage):
    """An S3 multipart upload per pending upload. Parts of ``part_size`` bytes go up as they
    fill; what a write leaves over (less than a part) waits in a small ``<key>.tail`` object
    until the next write, so an interrupted transfer resumes at the last byte received."""

    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        part_size: int = 8 * CHUNK,
        client: Any = None,
    ) -> None:
        if client is None:
            import boto3  # only needed when S3 is configured

            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.part_size = part_size

    def _name(self, key: str) -> str:
        key = _checked(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _tail(self, key: str, start: int) -> str:
        # named by where it starts: a tail left by a write that died after uploading more
        # parts than were recorded never stands in for the recorded one
        return f"{self._name(key)}.tail-{start}"

    def create(self, key: str) -> State:
        answer = self.client.create_multipart_upload(Bucket=self.bucket, Key=self._name(key))
        return {"upload_id": answer["UploadId"], "parts": [], "tail": 0}

    def write(
        self, key: str, state: State, offset: int, chunks: Iterable[bytes], total: int
    ) -> tuple[int, State]:
        parts: list[list[Any]] = [list(part) for part in state["parts"]]
        done = sum(part[2] for part in parts)
        buffer = bytearray()
        if state["tail"] and offset > done:
            body = self.client.get_object(Bucket=self.bucket, Key=self._tail(key, done))["Body"]
            buffer += body.read()[: offset - done]
        received = done + len(buffer)

        def flush(data: bytes) -> None:
            number = len(parts) + 1
            answer = self.client.upload_part(
                Bucket=self.bucket,
                Key=self._name(key),
                UploadId=state["upload_id"],
                PartNumber=number,
                Body=data,
            )
            parts.append([number, answer["ETag"], len(data)])

        try:
            for chunk in chunks:
                buffer += chunk
                received += len(chunk)
                while len(buffer) >= self.part_size:
                    flush(bytes(buffer[: self.part_size]))
                    del buffer[: self.part_size]
        finally:
            if received >= total and (buffer or not parts):
                flush(bytes(buffer))
                buffer.clear()
            if state["tail"]:
                self.client.delete_object(Bucket=self.bucket, Key=self._tail(key, done))
            if buffer:
                start = sum(part[2] for part in parts)
                self.client.put_object(
                    Bucket=self.bucket, Key=self._tail(key, start), Body=bytes(buffer)
                )
            new_state = {"upload_id": state["upload_id"], "parts": parts, "tail": len(buffer)}
        return received, new_state

    def commit(self, key: str, state: State) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self._name(key),
                UploadId=state["upload_id"],
                MultipartUpload={
                    "Parts": [
                        {"PartNumber": number, "ETag": etag} for number, etag, _ in state["parts"]
                    ]
                },
            )
        except ClientError:
            if not self.exists(key):  # not a retried completion
                raise

    def discard(self, key: str, state: State) -> None:
        from botocore.exceptions import ClientError

        if state.get("upload_id"):
            with contextlib.suppress(ClientError):  # already completed or aborted
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=self._name(key), UploadId=state["upload_id"]
                )
        if state.get("tail"):
            done = sum(part[2] for part in state.get("parts", []))
            self.client.delete_object(Bucket=self.bucket, Key=self._tail(key, done))
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def read(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        span = f"bytes={start}-" + ("" if end is None else str(end))
        answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key), Range=span)
        yield from answer["Body"].iter_chunks(CHUNK)

    def open(self, key: str) -> BinaryIO:
        size = self.client.head_object(Bucket=self.bucket, Key=self._name(key))["ContentLength"]
        return io.BufferedReader(_RangedReader(self, key, size), CHUNK)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError:
            return False
        return True


class _RangedReader(io.RawIOBase):
    """A seekable file over ranged GETs of one object (zipfile reads only a few ranges)."""

    def __init__(self, storage: S3Storage, key: str, size: int) -> None:
        self.storage, self.key, self.size, self.position = storage, key, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.size - self.position)
        if want <= 0:
            return 0
        data = b"".join(self.storage.read(self.key, self.position, self.position + want - 1))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


_cache: dict[str, Storage] = {}


def get_storage() -> Storage:
    """The storage the settings name (``UPLOAD_STORAGE``)."""
    config = dict(settings.UPLOAD_STORAGE)
    if config["backend"] == "local" and not config.get("root"):
        config["root"] = Path(settings.SUPPORTDESK_HOME) / "uploads"
    marker = repr(sorted(config.items()))
    if marker not in _cache:
        if config["backend"] == "s3":
            _cache[marker] = S3Storage(
                bucket=config["bucket"],
                prefix=config["prefix"],
                endpoint_url=config["endpoint_url"],
                region=config["region"],
            )
        else:
            _cache[marker] = LocalStorage(Path(config["root"]))
    return _cache[marker]
