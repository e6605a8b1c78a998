"""Log bundles and other files attached to cases (R-3, R-27).

An :class:`Upload` is a resumable transfer in progress: the declared length and SHA-256, the
bytes received so far (``offset``), and where its bytes go in storage under a key the server
made. Only when every byte is there, the SHA-256 matches and the content checks pass does it
become an :class:`Attachment`; until then nothing of it is listed or downloadable. Only the
services of :mod:`supportdesk.attachments.services` write these rows.
"""

from __future__ import annotations

import uuid

from django.db import models

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255, help_text="As the uploader named it; shown only.")
    file_type = models.CharField(max_length=16, help_text="The allowed suffix, such as .tar.gz.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_key = models.CharField(
        max_length=64, unique=True, help_text="Made by the server; never from the file name."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{self.filename} on {self.case_id}"


class Upload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="uploads")
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    file_type = models.CharField(max_length=16)
    length = models.PositiveBigIntegerField(help_text="Declared when the upload was created.")
    sha256 = models.CharField(max_length=64, help_text="Declared; checked when complete.")
    offset = models.PositiveBigIntegerField(default=0, help_text="Bytes received and kept.")
    storage_key = models.CharField(max_length=64, unique=True)
    storage_state = models.JSONField(
        default=dict, blank=True, help_text="The storage's own bookkeeping (S3: parts)."
    )
    writer = models.CharField(
        max_length=32, blank=True, default="", help_text="The request writing now, if any."
    )
    writer_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    attachment = models.OneToOneField(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="upload"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"upload of {self.filename} ({self.offset}/{self.length}) on {self.case_id}"

    @property
    def complete(self) -> bool:
        return self.completed_at is not None
