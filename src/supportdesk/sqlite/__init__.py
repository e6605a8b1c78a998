"""The SQLite database backend of supportdesk: Django's, with writers queued in turn.

``ENGINE = "supportdesk.sqlite"`` (what an ``sqlite://`` DATABASE_URL gives, see
:func:`supportdesk.config.env.database`).
"""
