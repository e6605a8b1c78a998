"""S3-compatible storage for attachments, against moto's S3 server over real HTTP: parts go up
as they fill, an interrupted transfer resumes at the last byte received, the object exists only
once complete, and archive checks read it back through ranged GETs."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from pytest_django import Settings

from supportdesk.attachments import services, storage
from supportdesk.attachments.models import Upload
from supportdesk.attachments.storage import S3Storage, get_storage
from tests.accounts.factories import CREATED, MembershipFactory
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

BUCKET = "supportdesk-test"
MiB = 1024 * 1024
DATA = b"".join(b"2026-06-01 09:00:00 INFO s3 line %07d\n" % i for i in range(400_000))


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture
def s3(endpoint: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Any:
    settings.UPLOAD_STORAGE = {
        "backend": "s3",
        "bucket": BUCKET,
        "prefix": "attachments",
        "endpoint_url": endpoint,
        "region": "us-east-1",
    }
    monkeypatch.setattr(storage, "_cache", {})
    store = get_storage()
    assert isinstance(store, S3Storage)
    store.part_size = 5 * MiB  # S3's smallest part
    return store.client


def keys(client: Any) -> list[str]:
    listing = client.list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def multipart(client: Any) -> int:
    return len(client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []))


def test_an_interrupted_upload_resumes_and_completes_as_one_object(s3: Any) -> None:
    case = CaseFactory.create()
    user = MembershipFactory.create(organization=case.organization, role="case_admin").user
    upload = services.upload_create(
        actor=user,
        case=case,
        filename="server.log",
        length=len(DATA),
        sha256=hashlib.sha256(DATA).hexdigest(),
        at=CREATED,
    )
    before = keys(s3)

    # 7 MiB arrive of a 12 MiB request, then the connection drops: one part and a tail
    upload = services.upload_append(
        actor=user,
        upload=upload,
        offset=0,
        stream=io.BytesIO(DATA[: 7 * MiB]),
        size=12 * MiB,
        at=CREATED,
    )
    assert upload.offset == 7 * MiB
    assert [part[2] for part in upload.storage_state["parts"]] == [5 * MiB]
    assert upload.storage_state["tail"] == 2 * MiB
    assert keys(s3) == [*before, f"attachments/{upload.storage_key}.tail-{5 * MiB}"]

    done = services.upload_append(
        actor=user,
        upload=upload,
        offset=7 * MiB,
        stream=io.BytesIO(DATA[7 * MiB :]),
        size=len(DATA) - 7 * MiB,
        at=CREATED,
    )

    assert done.attachment is not None
    assert done.attachment.size == len(DATA)
    assert keys(s3) == [*before, f"attachments/{upload.storage_key}"]
    assert b"".join(get_storage().read(upload.storage_key)) == DATA
    assert b"".join(get_storage().read(upload.storage_key, 100, 109)) == DATA[100:110]
    assert multipart(s3) == 0


def test_a_zip_is_checked_through_ranged_reads_and_an_abort_leaves_nothing(s3: Any) -> None:
    case = CaseFactory.create()
    user = MembershipFactory.create(organization=case.organization, role="case_admin").user
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.log", DATA[:100_000])
    data = buffer.getvalue()
    before = keys(s3)

    def start() -> Upload:
        return services.upload_create(
            actor=user,
            case=case,
            filename="logs.zip",
            length=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            at=CREATED,
        )

    done = services.upload_append(
        actor=user, upload=start(), offset=0, stream=io.BytesIO(data), size=len(data), at=CREATED
    )
    assert done.attachment is not None
    abandoned = services.upload_append(
        actor=user, upload=start(), offset=0, stream=io.BytesIO(data[:10]), size=10, at=CREATED
    )
    services.upload_abort(actor=user, upload=abandoned, at=CREATED)

    assert keys(s3) == sorted([*before, f"attachments/{done.storage_key}"])
    assert multipart(s3) == 0
