"""Attachments (R-3, R-27): log bundles of several GB attached to existing cases.

A resumable upload, as in the tus protocol:

1. ``POST /cases/{number}/uploads`` with ``{"filename", "length", "sha256"}`` declares the
   file (201, ``Location`` of the upload);
2. ``PATCH /uploads/{id}`` with ``Upload-Offset`` and ``Content-Type:
   application/offset+octet-stream`` sends bytes from that offset, as many requests as you
   like; the body streams to storage;
3. after a dropped connection, ``HEAD /uploads/{id}`` answers ``Upload-Offset``: send the
   rest from there;
4. the request that reaches the declared length completes it: the SHA-256 and the content
   are checked and the file becomes an attachment (``attachment`` in the answer).

Downloads (``GET /attachments/{id}/download``) are always served as a download, never shown
inline (``Content-Disposition: attachment``, ``X-Content-Type-Options: nosniff``, a sandbox
Content Security Policy), with ``Range`` support. Anything a caller may not see answers 404.
"""

# No `from __future__ import annotations`: ninja reads the views' annotations at runtime.

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import Header, Router, Schema, Status
from ninja.errors import HttpError
from ninja.throttling import BaseThrottle
from pydantic import Field

from supportdesk.accounts.models import User
from supportdesk.api.accounts import ERRORS
from supportdesk.api.auth import SIGNED_IN
from supportdesk.api.errors import ErrorOut, error_body
from supportdesk.api.throttling import RateLimit
from supportdesk.attachments import selectors, services
from supportdesk.attachments.models import Attachment, Upload
from supportdesk.attachments.ranges import Unsatisfiable, byte_range
from supportdesk.attachments.storage import get_storage
from supportdesk.cases.selectors import case_get
from supportdesk.policy.attachments import content_disposition

router = Router(tags=["attachments"], auth=SIGNED_IN)

API = "/api/v1"
TUS_VERSION = "1.0.0"
# every upload request (each chunk is one) counts against the upload limit as well (429)
UPLOAD_THROTTLE: list[BaseThrottle] = [
    RateLimit("api", anonymous="api-anonymous"),
    RateLimit("upload"),
]
BODY_TYPES = ("application/offset+octet-stream", "application/octet-stream")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the router's auth lets only signed-in people through
    return user


class UploadIn(Schema):
    filename: str = Field(description="the file's name, shown to readers; never used as a path")
    length: int = Field(description="the file's size in bytes")
    sha256: str = Field(description="the file's SHA-256, 64 hexadecimal digits")


class AttachmentOut(Schema):
    id: int
    case: str
    filename: str
    file_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_case(obj: Attachment) -> str:
        return obj.case.number

    @staticmethod
    def resolve_uploaded_by(obj: Attachment) -> str:
        return obj.uploaded_by.username

    @staticmethod
    def resolve_download_url(obj: Attachment) -> str:
        return f"{API}/attachments/{obj.pk}/download"


class UploadOut(Schema):
    id: str
    case: str
    filename: str
    length: int
    offset: int = Field(description="bytes received and kept: send the rest from here")
    expires_at: datetime = Field(description="an incomplete upload is removed after this")
    complete: bool
    attachment: AttachmentOut | None
    url: str

    @staticmethod
    def resolve_id(obj: Upload) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_case(obj: Upload) -> str:
        return obj.case.number

    @staticmethod
    def resolve_url(obj: Upload) -> str:
        return f"{API}/uploads/{obj.pk}"


def _tus_headers(response: HttpResponse, upload: Upload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _upload(request: HttpRequest, upload_id: str) -> Upload:
    return selectors.upload_get(upload_id, viewer=_user(request), at=timezone.now())


@router.post(
    "/cases/{number}/uploads",
    throttle=UPLOAD_THROTTLE,
    response={201: UploadOut, **ERRORS},
    summary="Start a resumable upload of a file to attach to the case (R-3, R-27)",
)
def upload_create(
    request: HttpRequest, number: str, payload: UploadIn, response: HttpResponse
) -> Status[Any]:
    now = timezone.now()
    upload = services.upload_create(
        actor=_user(request),
        case=case_get(number, viewer=_user(request), at=now),
        filename=payload.filename,
        length=payload.length,
        sha256=payload.sha256,
        at=now,
    )
    response["Location"] = f"{API}/uploads/{upload.pk}"
    _tus_headers(response, upload)
    return Status(201, upload)


@router.get("/uploads/{upload_id}", response={200: UploadOut, **ERRORS}, summary="An upload")
def upload_get(request: HttpRequest, upload_id: str, response: HttpResponse) -> Upload:
    upload = _upload(request, upload_id)
    _tus_headers(response, upload)
    return upload


@router.api_operation(
    ["HEAD"],
    "/uploads/{upload_id}",
    throttle=UPLOAD_THROTTLE,
    response={200: None, **ERRORS},
    summary="Where an upload stands: the Upload-Offset header",
)
def upload_head(request: HttpRequest, upload_id: str) -> HttpResponse:
    return _tus_headers(HttpResponse(status=200), _upload(request, upload_id))


@router.patch(
    "/uploads/{upload_id}",
    throttle=UPLOAD_THROTTLE,
    response={200: UploadOut, **ERRORS, 411: ErrorOut, 415: ErrorOut},
    summary="Send bytes from Upload-Offset; the request reaching the length completes it",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/offset+octet-stream": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    },
)
def upload_append(
    request: HttpRequest,
    upload_id: str,
    response: HttpResponse,
    upload_offset: int = Header(..., alias="Upload-Offset", ge=0),
) -> Upload:
    content_type = (request.content_type or "").lower()
    if content_type not in BODY_TYPES:
        raise HttpError(415, "Content-Type must be application/offset+octet-stream.")
    raw_length = request.META.get("CONTENT_LENGTH") or ""
    if not raw_length.isdigit():
        raise HttpError(411, "Content-Length is required: send the chunk's size in bytes.")
    now = timezone.now()
    upload = services.upload_append(
        actor=_user(request),
        upload=_upload(request, upload_id),
        offset=upload_offset,
        stream=request,  # read in chunks, never as a whole
        size=int(raw_length),
        at=now,
    )
    _tus_headers(response, upload)
    return upload


@router.delete("/uploads/{upload_id}", response={204: None, **ERRORS}, summary="Abandon an upload")
def upload_abort(request: HttpRequest, upload_id: str) -> Status[None]:
    services.upload_abort(
        actor=_user(request), upload=_upload(request, upload_id), at=timezone.now()
    )
    return Status(204, None)


@router.get(
    "/cases/{number}/attachments",
    response={200: list[AttachmentOut], **ERRORS},
    summary="The case's attachments",
)
def attachment_list(request: HttpRequest, number: str) -> Any:
    now = timezone.now()
    case = case_get(number, viewer=_user(request), at=now)
    return list(selectors.attachments_of(case, viewer=_user(request), at=now))


@router.get("/attachments/{attachment_id}", response={200: AttachmentOut, **ERRORS})
def attachment_get(request: HttpRequest, attachment_id: int) -> Attachment:
    return selectors.attachment_get(attachment_id, viewer=_user(request), at=timezone.now())


@router.get(
    "/attachments/{attachment_id}/download",
    response={200: None, 206: None, 416: None, **ERRORS},
    summary="The file, as a download (Range supported)",
)
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get(attachment_id, viewer=_user(request), at=timezone.now())
    size = attachment.size
    try:
        span = byte_range(request.headers.get("Range"), size)
    except Unsatisfiable:
        refused = HttpResponse(status=416, content_type="application/json")
        refused.content = json.dumps(error_body(f"Range lies outside the file's {size} bytes."))
        refused["Content-Range"] = f"bytes */{size}"
        return _download_headers(refused, attachment)
    if span is not None and request.headers.get("If-Range") not in (None, _etag(attachment)):
        span = None  # the file the client has is another one: send it whole
    first, last = span if span is not None else (0, size - 1)
    response = StreamingHttpResponse(
        get_storage().read(attachment.storage_key, first, last),
        status=206 if span is not None else 200,
        content_type="application/octet-stream",
    )
    response["Content-Length"] = str(last - first + 1)
    if span is not None:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return _download_headers(response, attachment)


def _etag(attachment: Attachment) -> str:
    return f'"{attachment.sha256}"'


def _download_headers(
    response: HttpResponse | StreamingHttpResponse, attachment: Attachment
) -> Any:
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = _etag(attachment)
    response["Cache-Control"] = "private, no-cache"
    return response


@router.delete(
    "/attachments/{attachment_id}",
    response={204: None, **ERRORS},
    summary="Remove an attachment from its case (audited)",
)
def attachment_remove(request: HttpRequest, attachment_id: int) -> Status[None]:
    now = timezone.now()
    attachment = selectors.attachment_get(attachment_id, viewer=_user(request), at=now)
    services.attachment_remove(actor=_user(request), attachment=attachment, at=now)
    return Status(204, None)
