from __future__ import annotations

import factory

from supportdesk.audit.models import AuditEvent
from tests.accounts.factories import CREATED


class AuditEventFactory(factory.django.DjangoModelFactory[AuditEvent]):
    class Meta:
        model = AuditEvent

    at = CREATED
    actor = None
    action = "organization.create"
    target_type = "accounts.organization"
    target_id = "1"
    target_repr = "Customer 1"
    changes = factory.LazyFunction(lambda: {"name": [None, "Customer 1"]})
