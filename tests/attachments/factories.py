from __future__ import annotations

import secrets
from datetime import timedelta

import factory

from supportdesk.attachments.models import Attachment, Upload
from tests.accounts.factories import CREATED, PersonFactory
from tests.cases.factories import CaseFactory


class AttachmentFactory(factory.django.DjangoModelFactory[Attachment]):
    """An attachment row (its bytes are not in storage: write them when a test reads them)."""

    class Meta:
        model = Attachment

    case = factory.SubFactory(CaseFactory)
    uploaded_by = factory.SubFactory(PersonFactory)
    filename = "server.log"
    file_type = ".log"
    size = 12
    sha256 = "0" * 64
    storage_key = factory.LazyFunction(lambda: secrets.token_hex(16))
    created_at = CREATED


class UploadFactory(factory.django.DjangoModelFactory[Upload]):
    """An upload in progress, nothing received yet (no storage behind it)."""

    class Meta:
        model = Upload

    case = factory.SubFactory(CaseFactory)
    created_by = factory.SubFactory(PersonFactory)
    filename = "bundle.zip"
    file_type = ".zip"
    length = 1000
    sha256 = "0" * 64
    storage_key = factory.LazyFunction(lambda: secrets.token_hex(16))
    created_at = CREATED
    expires_at = factory.LazyAttribute(lambda upload: upload.created_at + timedelta(days=1))
