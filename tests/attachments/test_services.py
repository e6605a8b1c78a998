"""The attachments services (R-3, R-27): resumable uploads streamed to storage, checked, then
attached and audited on the case; removal; expiry of incomplete uploads."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.tasks import default_task_backend
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from supportdesk.attachments import services
from supportdesk.attachments.models import Attachment, Upload
from supportdesk.attachments.storage import get_storage
from supportdesk.audit.models import AuditEvent
from supportdesk.errors import Conflict
from tests.accounts.factories import CREATED, MembershipFactory, StaffFactory
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

AT = CREATED
LOG = b"".join(b"2026-06-01 09:00:00 INFO line %06d\n" % i for i in range(20_000))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def admin() -> Any:
    case = CaseFactory.create()
    return case, MembershipFactory.create(organization=case.organization, role="case_admin").user


def errors_of(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return caught.value.message_dict


def start(case: Any, user: Any, data: bytes, name: str = "server.log", **kw: Any) -> Upload:
    return services.upload_create(
        actor=user, case=case, filename=name, length=len(data), sha256=sha(data), at=AT, **kw
    )


def send(user: Any, upload: Upload, data: bytes, offset: int | None = None) -> Upload:
    offset = upload.offset if offset is None else offset
    return services.upload_append(
        actor=user, upload=upload, offset=offset, stream=io.BytesIO(data), size=len(data), at=AT
    )


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_create_checks_every_field_before_any_byte(admin: Any, settings: Settings) -> None:
    case, user = admin
    settings.UPLOAD_MAX_BYTES = 1000

    with pytest.raises(ValidationError) as caught:
        services.upload_create(
            actor=user, case=case, filename="tool.exe", length=1001, sha256="xyz", at=AT
        )

    assert errors_of(caught) == {
        "filename": [
            "This type of file cannot be attached; allowed: .7z, .bz2, .csv, .dmp, .evtx, "
            ".gz, .json, .log, .tar, .tar.gz, .tgz, .txt, .xml, .xz, .zip, .zst."
        ],
        "length": ["The file is larger than the limit of 1000 bytes."],
        "sha256": ["The SHA-256 must be 64 hexadecimal digits."],
    }
    assert Upload.objects.count() == 0


def test_the_case_quota_counts_attachments_and_uploads_in_progress(
    admin: Any, settings: Settings
) -> None:
    case, user = admin
    settings.UPLOAD_CASE_QUOTA_BYTES = 1500
    start(case, user, b"x" * 1000)

    with pytest.raises(ValidationError) as caught:
        start(case, user, b"y" * 501)

    assert errors_of(caught) == {
        "length": [
            "The case's attachments would pass its quota of 1500 bytes "
            "(1000 bytes are used or being uploaded)."
        ]
    }
    assert Upload.objects.count() == 1


def test_the_allowed_types_are_a_setting(admin: Any, settings: Settings) -> None:
    case, user = admin
    settings.UPLOAD_EXTENSIONS = ["zip"]

    with pytest.raises(ValidationError) as caught:
        start(case, user, LOG)

    assert errors_of(caught) == {
        "filename": ["This type of file cannot be attached; allowed: .zip."]
    }


def test_a_plain_member_may_not_attach(admin: Any) -> None:
    case, _ = admin
    member = MembershipFactory.create(organization=case.organization, role="member").user

    with pytest.raises(PermissionDenied):
        start(case, member, LOG)

    assert Upload.objects.count() == 0


def test_chunks_resume_and_complete_into_an_audited_attachment(
    admin: Any, supportdesk_home: Path
) -> None:
    case, user = admin
    upload = start(case, user, LOG)
    root = supportdesk_home / "uploads"
    assert files_under(root) == [f"pending/{upload.storage_key}"]

    upload = send(user, upload, LOG[:100_000])
    # the connection drops after 50,000 more bytes: what came is kept
    short = services.upload_append(
        actor=user,
        upload=upload,
        offset=100_000,
        stream=io.BytesIO(LOG[100_000:150_000]),
        size=len(LOG) - 100_000,
        at=AT,
    )
    assert (short.offset, short.complete, Attachment.objects.count()) == (150_000, False, 0)

    with pytest.raises(Conflict) as stale:
        send(user, short, LOG[100_000:], offset=100_000)
    assert stale.value.message == (
        "Upload-Offset 100000 is not where this upload stands (150000 bytes received): ask for "
        "its offset (HEAD) and send the rest from there."
    )

    done = send(user, short, LOG[150_000:])

    attachment = done.attachment
    assert attachment is not None
    assert (attachment.size, attachment.sha256, attachment.filename, attachment.file_type) == (
        len(LOG), sha(LOG), "server.log", ".log"
    )  # fmt: skip
    assert files_under(root) == [f"objects/{upload.storage_key}"]
    assert b"".join(get_storage().read(attachment.storage_key)) == LOG
    (event,) = AuditEvent.objects.all()
    assert (event.action, event.target_type, event.target_id, event.actor_id) == (
        "case.attachment_add", "cases.case", str(case.pk), user.pk
    )  # fmt: skip


def test_more_than_the_declared_length_is_refused(admin: Any) -> None:
    case, user = admin
    upload = start(case, user, LOG)

    with pytest.raises(ValidationError) as caught:
        send(user, upload, LOG + b"extra")

    assert errors_of(caught) == {
        "Content-Length": [
            f"This request would pass the declared length of {len(LOG)} bytes "
            f"({len(LOG)} bytes are left to send)."
        ]
    }
    upload.refresh_from_db()
    assert upload.offset == 0


def test_a_wrong_sha256_discards_the_bytes_and_says_so(admin: Any, supportdesk_home: Path) -> None:
    case, user = admin
    upload = services.upload_create(
        actor=user, case=case, filename="a.log", length=len(LOG), sha256="ab" * 32, at=AT
    )

    with pytest.raises(ValidationError) as caught:
        send(user, upload, LOG)

    assert errors_of(caught) == {
        "sha256": [
            f"The file that arrived has the SHA-256 {sha(LOG)}, not the declared {'ab' * 32}: "
            "it was discarded; upload it again."
        ]
    }
    assert (Upload.objects.count(), Attachment.objects.count(), AuditEvent.objects.count()) == (
        0, 0, 0
    )  # fmt: skip
    assert files_under(supportdesk_home / "uploads") == []


def test_the_sha256_is_checked_by_reading_back_after_chunks(admin: Any) -> None:
    case, user = admin
    upload = services.upload_create(
        actor=user, case=case, filename="a.log", length=len(LOG), sha256="cd" * 32, at=AT
    )
    upload = send(user, upload, LOG[:10])

    with pytest.raises(ValidationError) as caught:
        send(user, upload, LOG[10:])

    assert list(errors_of(caught)) == ["sha256"]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar_gz(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logs.zip", _zip({"a.log": LOG, "b.log": LOG[:1000]})),
        ("logs.tar.gz", _tar_gz({"a.log": LOG})),
        ("server.log.gz", gzip.compress(LOG)),
        ("UTF16.log", "Protokoll\r\n".encode("utf-16")),
    ],
)
def test_archives_and_text_that_pass_the_checks_are_attached(
    admin: Any, name: str, data: bytes
) -> None:
    case, user = admin

    done = send(user, start(case, user, data, name=name), data)

    assert done.attachment is not None
    assert done.attachment.filename == name


ZEROS = b"\x00" * (8 * 1024 * 1024)  # deflates about 1000:1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "bomb.zip",
            _zip({"zeros.log": ZEROS}),
            "The archive expands more than 200 times its size (an archive bomb?); it was refused.",
        ),
        (
            "bomb.log.gz",
            gzip.compress(ZEROS),
            f"The archive expands more than 200 times its size or past {64 * 1024**3} bytes "
            "(an archive bomb?); it was refused.",
        ),
        (
            "bomb.tgz",
            _tar_gz({"zeros.log": ZEROS}),
            f"The archive expands more than 200 times its size or past {64 * 1024**3} bytes "
            "(an archive bomb?); it was refused.",
        ),
        (
            "setup.zip",
            b"MZ\x90\x00" + b"\x00" * 100,
            "A .zip file must hold a zip archive, but this one holds a program.",
        ),
        (
            "notes.log",
            _zip({"a": b"b"}),
            "A .log file must hold text, but this one holds a zip archive.",
        ),
        ("broken.zip", b"PK\x03\x04" + b"\x00" * 100, "The file is not a readable zip archive."),
    ],
)
def test_bombs_and_disguised_files_are_refused_and_discarded(
    admin: Any, supportdesk_home: Path, name: str, data: bytes, message: str
) -> None:
    case, user = admin
    upload = start(case, user, data, name=name)

    with pytest.raises(ValidationError) as caught:
        send(user, upload, data)

    assert errors_of(caught) == {"file": [message]}
    assert (Upload.objects.count(), Attachment.objects.count()) == (0, 0)
    assert files_under(supportdesk_home / "uploads") == []


def test_overlapping_zip_members_are_refused(admin: Any) -> None:
    case, user = admin
    data = bytearray(_zip({"a.log": b"abc" * 100, "b.log": b"abc" * 100}))
    # point the second member's central directory entry at the first member's data
    central = data.rfind(b"PK\x01\x02")
    data[central + 42 : central + 46] = (0).to_bytes(4, "little")
    payload = bytes(data)

    with pytest.raises(ValidationError) as caught:
        send(user, start(case, user, payload, name="overlap.zip"), payload)

    assert errors_of(caught) == {"file": ["The zip archive's members overlap (an archive bomb?)."]}


def test_a_large_upload_streams_in_constant_memory(admin: Any, settings: Settings) -> None:
    case, user = admin
    block = b"0123456789abcdef" * 65_536  # 1 MiB
    size = 48 * len(block)
    digest = hashlib.sha256()
    for _ in range(48):
        digest.update(block)

    class Source(io.RawIOBase):
        sent = 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1, /) -> bytes:
            n = min(n, size - self.sent)
            self.sent += n
            return (block * 2)[:n] if n > 0 else b""

    upload = services.upload_create(
        actor=user, case=case, filename="big.log", length=size, sha256=digest.hexdigest(), at=AT
    )
    tracemalloc.start()
    try:
        done = services.upload_append(
            actor=user, upload=upload, offset=0, stream=Source(), size=size, at=AT
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert done.attachment is not None
    assert done.attachment.size == size
    assert peak < 16 * 1024 * 1024  # a few chunks in flight, never the 48 MiB file


def test_a_second_writer_is_refused_while_the_first_is_alive(admin: Any) -> None:
    case, user = admin
    upload = start(case, user, LOG)
    Upload.objects.filter(pk=upload.pk).update(writer="other", writer_seen_at=AT)

    with pytest.raises(Conflict):
        send(user, upload, LOG[:10])
    # a writer not heard from for a minute is dead: its claim is taken over
    later = services.upload_append(
        actor=user,
        upload=upload,
        offset=0,
        stream=io.BytesIO(LOG[:10]),
        size=10,
        at=AT + services.STALE_WRITER + timedelta(seconds=1),
    )
    assert (later.offset, later.writer) == (10, "")


def test_only_its_creator_resumes_an_upload(admin: Any) -> None:
    case, user = admin
    upload = start(case, user, LOG)
    colleague = MembershipFactory.create(organization=case.organization, role="case_admin").user

    with pytest.raises(Upload.DoesNotExist):
        send(colleague, upload, LOG[:10])


def test_abort_discards_the_bytes(admin: Any, supportdesk_home: Path) -> None:
    case, user = admin
    upload = send(user, start(case, user, LOG), LOG[:10])

    services.upload_abort(actor=user, upload=upload, at=AT)

    assert Upload.objects.count() == 0
    assert files_under(supportdesk_home / "uploads") == []


def test_remove_is_audited_on_the_case_and_drops_the_bytes(
    admin: Any, supportdesk_home: Path, django_capture_on_commit_callbacks: Any
) -> None:
    case, user = admin
    attachment = send(user, start(case, user, LOG), LOG).attachment
    assert attachment is not None
    staff = StaffFactory.create()
    attachment_id = attachment.pk

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(actor=staff, attachment=attachment, at=AT)

    assert Attachment.objects.count() == 0
    event = AuditEvent.objects.get(action="case.attachment_remove")
    assert (event.target_id, event.actor_id, event.changes) == (
        str(case.pk),
        staff.pk,
        {
            "attachment": [
                {
                    "id": attachment_id,
                    "filename": "server.log",
                    "size": len(LOG),
                    "sha256": sha(LOG),
                },
                None,
            ]
        },
    )
    assert files_under(supportdesk_home / "uploads") == []


def test_incomplete_uploads_expire_in_the_worker(
    admin: Any, supportdesk_home: Path, django_capture_on_commit_callbacks: Any
) -> None:
    case, user = admin
    with django_capture_on_commit_callbacks(execute=True):
        upload = start(case, user, LOG)
    (queued,) = DBTaskResult.objects.all()
    assert queued.run_after == upload.expires_at
    assert queued.args_kwargs == {"args": [str(upload.pk)], "kwargs": {}}
    upload = send(user, upload, LOG[:10])  # a write moves the expiry on

    again = services.upload_expire(upload_id=str(upload.pk), at=AT + timedelta(days=1))
    assert again == upload.expires_at
    gone = services.upload_expire(upload_id=str(upload.pk), at=upload.expires_at)
    twice = services.upload_expire(upload_id=str(upload.pk), at=upload.expires_at)

    assert (gone, twice) == (None, None)
    assert Upload.objects.count() == 0
    assert files_under(supportdesk_home / "uploads") == []
    assert default_task_backend is not None


def test_the_expiry_task_looks_again_while_the_upload_is_alive(admin: Any) -> None:
    from django.utils import timezone

    from supportdesk.attachments.tasks import upload_expire

    case, user = admin
    upload = services.upload_create(
        actor=user,
        case=case,
        filename="a.log",
        length=10,
        sha256="ab" * 32,
        at=timezone.now(),
    )

    upload_expire.call(str(upload.pk))

    (again,) = DBTaskResult.objects.all()
    assert again.run_after == upload.expires_at
    assert Upload.objects.filter(pk=upload.pk).exists()
