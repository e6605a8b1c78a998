"""Every write of the attachments app (R-3, R-27): keyword-only, permission-checked; adding
and removing an attachment is each one audit event on its case.

A file arrives through a resumable upload (as in the tus protocol):

1. :func:`upload_create` declares the file's name, length and SHA-256; the name, type, size
   limit and the case's quota are checked before any byte is sent.
2. :func:`upload_append` writes one request body at the offset the client names, which must
   be the upload's current offset; the bytes stream to storage in chunks (memory does not grow
   with the file). A dropped connection keeps what arrived: the client asks for the offset
   and sends the rest.
3. The write that reaches the declared length completes it: the storage commits the object,
   its SHA-256 and content are checked, and only then does it become an :class:`Attachment`
   (audited on the case). A failed check discards the bytes and says which field was wrong.

A write runs outside any database transaction (it can last minutes); a claim on the upload
row (``writer``, refreshed every few seconds) keeps two requests from writing the same upload
at once, and a claim left by a dead process goes stale. Incomplete uploads expire
``UPLOAD_EXPIRY_SECONDS`` after their last write; the worker removes them.
"""

from __future__ import annotations

import hashlib
import queue
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Actor, is_person, not_found
from supportdesk.attachments.inspection import check_upload, sha256_of
from supportdesk.attachments.models import Attachment, Upload
from supportdesk.attachments.storage import CHUNK, get_storage
from supportdesk.audit.services import audit_event_record
from supportdesk.cases.models import Case
from supportdesk.cases.permissions import require_customer_side_or_staff, require_visible
from supportdesk.errors import Conflict
from supportdesk.policy.attachments import (
    DEFAULT_EXTENSIONS,
    ExpansionLimits,
    clean_filename,
    file_type,
)
from supportdesk.policy.errors import InputError

#: A writer that has not been heard from for this long is taken to be dead.
STALE_WRITER = timedelta(seconds=60)
HEARTBEAT_SECONDS = 5.0
_SHA256_HEX = frozenset("0123456789abcdef")


class Readable(Protocol):
    """A request body, or anything else read in chunks."""

    def read(self, size: int, /) -> bytes: ...


def _user(actor: Actor) -> User:
    if not isinstance(actor, User) or not is_person(actor):
        raise PermissionDenied("Sign in first.")
    return actor


def _invalid(exc: InputError) -> ValidationError:
    return ValidationError({exc.field: [exc.message]})


def allowed_extensions() -> tuple[str, ...]:
    configured = settings.UPLOAD_EXTENSIONS
    if not configured:
        return DEFAULT_EXTENSIONS
    return tuple(
        (ext if ext.startswith(".") else f".{ext}").lower() for ext in configured if ext.strip()
    )


def expansion_limits() -> ExpansionLimits:
    return ExpansionLimits(
        max_ratio=settings.UPLOAD_MAX_RATIO,
        max_expanded_bytes=settings.UPLOAD_MAX_EXPANDED_BYTES,
        max_members=settings.UPLOAD_MAX_MEMBERS,
    )


def _expiry() -> timedelta:
    return timedelta(seconds=settings.UPLOAD_EXPIRY_SECONDS)


def case_bytes_used(case: Case) -> int:
    """What counts against the case's quota: its attachments and uploads in progress."""
    attached = Attachment.objects.filter(case=case).aggregate(total=Sum("size"))["total"] or 0
    pending = (
        Upload.objects.filter(case=case, completed_at__isnull=True).aggregate(total=Sum("length"))[
            "total"
        ]
        or 0
    )
    return int(attached) + int(pending)


def _schedule_expiry(upload_id: str, when: datetime) -> None:
    from supportdesk.attachments.tasks import upload_expire

    upload_expire.using(run_after=when).enqueue(upload_id)


@transaction.atomic
def upload_create(
    *, actor: Actor, case: Case, filename: str, length: int, sha256: str, at: datetime
) -> Upload:
    """Declare a file to attach to ``case`` (R-3, R-27); every problem names its field."""
    user = _user(actor)
    require_customer_side_or_staff(actor, case, at=at, doing="attach files to its cases")
    errors: dict[str, list[str]] = {}
    name = suffix = ""
    try:
        name = clean_filename(filename)
        suffix = file_type(name, allowed_extensions())
    except InputError as exc:
        errors.setdefault(exc.field, []).append(exc.message)
    limit = settings.UPLOAD_MAX_BYTES
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        errors["length"] = ["The length must be a whole number of bytes, at least 1."]
    elif length > limit:
        errors["length"] = [f"The file is larger than the limit of {limit} bytes."]
    digest = (sha256 or "").strip().lower()
    if len(digest) != 64 or not set(digest) <= _SHA256_HEX:
        errors["sha256"] = ["The SHA-256 must be 64 hexadecimal digits."]
    if errors:
        raise ValidationError(errors)
    case = Case.objects.select_for_update().get(pk=case.pk)  # one quota check at a time
    quota = settings.UPLOAD_CASE_QUOTA_BYTES
    used = case_bytes_used(case)
    if used + length > quota:
        raise ValidationError(
            {
                "length": [
                    f"The case's attachments would pass its quota of {quota} bytes "
                    f"({used} bytes are used or being uploaded)."
                ]
            }
        )
    storage = get_storage()
    key = secrets.token_hex(16)
    upload = Upload.objects.create(
        case=case,
        created_by=user,
        filename=name,
        file_type=suffix,
        length=length,
        sha256=digest,
        storage_key=key,
        storage_state=storage.create(key),
        created_at=at,
        expires_at=at + _expiry(),
    )
    upload_id, when = str(upload.pk), upload.expires_at
    transaction.on_commit(lambda: _schedule_expiry(upload_id, when))
    return upload


def _claim(upload: Upload, *, offset: int | None, at: datetime) -> str:
    """Take the upload's writer claim; Conflict when another live request holds it."""
    token = secrets.token_hex(16)
    free = Q(writer="") | Q(writer_seen_at__lt=at - STALE_WRITER)
    rows = Upload.objects.filter(free, pk=upload.pk, completed_at__isnull=True)
    if offset is not None:
        rows = rows.filter(offset=offset)
    if rows.update(writer=token, writer_seen_at=at) != 1:
        raise Conflict(
            "Another request is writing to this upload right now: ask for its offset (HEAD) "
            "and try again in a minute."
        )
    return token


def _release(upload: Upload, token: str) -> None:
    Upload.objects.filter(pk=upload.pk, writer=token).update(writer="", writer_seen_at=None)


class _Hasher:
    """SHA-256 in a thread of its own, so that hashing overlaps reading and writing (hashlib
    lets go of the GIL on large pieces). At most ``depth`` pieces wait: memory stays flat."""

    def __init__(self, depth: int = 4) -> None:
        self._digest = hashlib.sha256()
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            self._digest.update(data)

    def update(self, data: bytes) -> None:
        self._queue.put(data)

    def hexdigest(self) -> str:
        self.close()
        return self._digest.hexdigest()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


def _body(
    stream: Readable, size: int, upload: Upload, token: str, digest: _Hasher | None
) -> Iterator[bytes]:
    """The request body in chunks; stops early (keeping what came) when the client goes.
    Refreshes the writer claim as it goes and stops if another request took it over."""
    left = size
    beat = time.monotonic()
    while left > 0:
        try:
            data = stream.read(min(CHUNK, left))
        except OSError:
            return  # the connection dropped: keep what arrived
        if not data:
            return
        left -= len(data)
        if digest is not None:
            digest.update(data)
        yield data
        if time.monotonic() - beat > HEARTBEAT_SECONDS:
            beat = time.monotonic()
            rows = Upload.objects.filter(pk=upload.pk, writer=token)
            if rows.update(writer_seen_at=timezone.now()) != 1:
                return  # taken over after a stall: stop writing


def upload_append(
    *,
    actor: Actor,
    upload: Upload,
    offset: int,
    stream: Readable,
    size: int,
    at: datetime,
) -> Upload:
    """Write ``size`` bytes of ``stream`` at ``offset`` (which must be the upload's own);
    completes the upload when the declared length is reached."""
    user = _user(actor)
    if upload.created_by_id != user.pk:
        raise not_found(upload)
    require_customer_side_or_staff(actor, upload.case, at=at, doing="attach files to its cases")
    if upload.complete:
        if offset == upload.length and size == 0:
            return upload  # a repeated last request: nothing to do
        raise Conflict("This upload is complete; the file is attached to the case.")
    if offset != upload.offset:
        raise Conflict(
            f"Upload-Offset {offset} is not where this upload stands ({upload.offset} bytes "
            "received): ask for its offset (HEAD) and send the rest from there."
        )
    if size < 0 or offset + size > upload.length:
        raise ValidationError(
            {
                "Content-Length": [
                    f"This request would pass the declared length of {upload.length} bytes "
                    f"({upload.length - offset} bytes are left to send)."
                ]
            }
        )
    token = _claim(upload, offset=offset, at=at)
    storage = get_storage()
    digest = _Hasher() if offset == 0 and size == upload.length else None
    try:
        new_offset, state = storage.write(
            upload.storage_key,
            upload.storage_state,
            offset,
            _body(stream, size, upload, token, digest),
            upload.length,
        )
    except BaseException:
        _release(upload, token)
        raise
    finally:
        if digest is not None:
            digest.close()
    now = timezone.now()
    rows = Upload.objects.filter(pk=upload.pk, writer=token)
    if new_offset < upload.length:
        rows.update(
            offset=new_offset,
            storage_state=state,
            writer="",
            writer_seen_at=None,
            expires_at=now + _expiry(),
        )
        upload.refresh_from_db()
        return upload
    rows.update(offset=new_offset, storage_state=state, writer_seen_at=now)
    upload.refresh_from_db()
    whole = digest.hexdigest() if digest is not None and new_offset == upload.length else None
    return _complete(user, upload, token, whole, at=at)


def _complete(
    user: User, upload: Upload, token: str, digest: str | None, *, at: datetime
) -> Upload:
    """Commit the bytes, check them, and attach them to the case; or discard them."""
    storage = get_storage()
    key = upload.storage_key
    try:
        storage.commit(key, upload.storage_state)
        actual = digest or sha256_of(storage, key)
        if actual != upload.sha256:
            raise InputError(
                "sha256",
                f"The file that arrived has the SHA-256 {actual}, not the declared "
                f"{upload.sha256}: it was discarded; upload it again.",
            )
        check_upload(
            storage, key, suffix=upload.file_type, size=upload.length, limits=expansion_limits()
        )
    except InputError as exc:
        storage.discard(key, upload.storage_state)
        Upload.objects.filter(pk=upload.pk).delete()
        raise _invalid(exc) from None
    except BaseException:
        _release(upload, token)
        raise
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.writer != token:
            raise Conflict("Another request took this upload over; ask for its offset (HEAD).")
        attachment = Attachment.objects.create(
            case_id=locked.case_id,
            uploaded_by=user,
            filename=locked.filename,
            file_type=locked.file_type,
            size=locked.length,
            sha256=locked.sha256,
            storage_key=key,
            created_at=at,
        )
        locked.attachment = attachment
        locked.completed_at = at
        locked.writer = ""
        locked.writer_seen_at = None
        locked.save(update_fields=["attachment", "completed_at", "writer", "writer_seen_at"])
        audit_event_record(
            actor=user,
            action="case.attachment_add",
            target=locked.case,
            changes={"attachment": [None, _summary(attachment)]},
            at=at,
        )
    return locked


def _summary(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }


def upload_abort(*, actor: Actor, upload: Upload, at: datetime) -> None:
    """Abandon an upload in progress: its bytes are discarded."""
    user = _user(actor)
    if upload.created_by_id != user.pk:
        raise not_found(upload)
    require_visible(actor, upload.case, at=at)
    if upload.complete:
        raise Conflict("This upload is complete; remove the attachment instead.")
    token = _claim(upload, offset=None, at=at)
    get_storage().discard(upload.storage_key, upload.storage_state)
    Upload.objects.filter(pk=upload.pk, writer=token).delete()


def upload_expire(*, upload_id: str, at: datetime) -> datetime | None:
    """The worker's clean-up (safe to run twice): an incomplete upload past its expiry loses
    its bytes and its row; a complete one only its row. Answers when to look again, if the
    upload is still alive."""
    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None:
        return None
    if upload.expires_at > at:
        return upload.expires_at
    if upload.complete:
        Upload.objects.filter(pk=upload.pk, completed_at__isnull=False).delete()
        return None
    try:
        token = _claim(upload, offset=None, at=at)
    except Conflict:
        return at + STALE_WRITER  # being written right now
    get_storage().discard(upload.storage_key, upload.storage_state)
    Upload.objects.filter(pk=upload.pk, writer=token).delete()
    return None


@transaction.atomic
def attachment_remove(*, actor: Actor, attachment: Attachment, at: datetime) -> None:
    """Remove an attachment from its case (audited on the case); its bytes go on commit."""
    require_customer_side_or_staff(
        actor, attachment.case, at=at, doing="remove attachments from its cases"
    )
    case = Case.objects.select_for_update().get(pk=attachment.case_id)
    summary = _summary(attachment)
    key = attachment.storage_key
    attachment.delete()
    audit_event_record(
        actor=actor if isinstance(actor, User) else None,
        action="case.attachment_remove",
        target=case,
        changes={"attachment": [summary, None]},
        at=at,
    )
    transaction.on_commit(lambda: get_storage().delete(key))
