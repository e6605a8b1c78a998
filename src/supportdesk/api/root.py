"""The one API instance, served at /api/v1/ (OpenAPI at openapi.json, docs at docs).

Each domain adds its router here, from supportdesk/api/<domain>.py.
"""

from django.http import HttpRequest, HttpResponse

from supportdesk.api import accounts, cases, health, licensing, policy, reports, surveys
from supportdesk.api.errors import SupportdeskAPI, error_body
from supportdesk.api.parser import GuardedParser
from supportdesk.api.throttling import RateLimit
from supportdesk.policy import InputError

api = SupportdeskAPI(
    title="supportdesk API",
    version="1",
    description="Cases, SLA clocks and everything around them. Every error answers ErrorOut.",
    urls_namespace="api-v1",
    parser=GuardedParser(),
    throttle=[RateLimit("api", anonymous="api-anonymous")],
)

api.add_router("/health", health.router)
api.add_router("/policy", policy.router)
api.add_router("", accounts.router)
api.add_router("", licensing.router)
api.add_router("", cases.router)
api.add_router("", reports.router)
api.add_router("", surveys.router)


def _input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    """A value the policy core refused (unknown program, time zone, country, ...): 422."""
    return api.create_response(request, error_body(exc.message, exc.field), status=422)


api.add_exception_handler(InputError, _input_error)  # type: ignore[arg-type]
