"""Outgoing mail through a transactional outbox, and the first-response warnings (R-16)."""
