"""Background work of the cases app. Each task is safe to run twice.

Mail of a case (its confirmation, R-23, and updates, R-28) goes through the outbox of
:mod:`supportdesk.notifications`, queued by the services in the case's own transaction.
"""

from __future__ import annotations
