"""The WSGI application: what `supportdesk serve` (gunicorn) runs."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")

application = get_wsgi_application()
