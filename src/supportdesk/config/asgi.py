"""The ASGI application, for operators who run supportdesk under an ASGI server."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.config.settings")

application = get_asgi_application()
