"""The PostgreSQL database backend of supportdesk: Django's, its kept connections checked
only after a pause.

``ENGINE = "supportdesk.postgresql"`` (what a ``postgres://`` DATABASE_URL gives, see
:func:`supportdesk.config.env.database`).
"""
