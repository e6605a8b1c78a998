"""The audit trail: one append-only record per change a service makes (who, when, what)."""
