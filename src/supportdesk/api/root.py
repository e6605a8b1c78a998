"""The one API instance, served at /api/v1/ (OpenAPI at openapi.json, docs at docs).

Each domain adds its router here, from supportdesk/api/<domain>.py.
"""

from supportdesk.api import health
from supportdesk.api.errors import SupportdeskAPI

api = SupportdeskAPI(
    title="supportdesk API",
    version="1",
    description="Cases, SLA clocks and everything around them. Every error answers ErrorOut.",
    urls_namespace="api-v1",
)

api.add_router("/health", health.router)
