"""The one API instance, served at /api/v1/ (OpenAPI at openapi.json, docs at docs).

Each domain adds its router here, from supportdesk/api/<domain>.py.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from supportdesk.api import (
    accounts,
    attachments,
    case_work,
    cases,
    downloads,
    health,
    knowledge,
    licensing,
    phone,
    policy,
    reports,
    routing,
    surveys,
)
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
api.add_router("", routing.router)
api.add_router("", phone.router)
api.add_router("", attachments.router)
api.add_router("", knowledge.router)
api.add_router("", downloads.router)
api.add_router("", case_work.router)


def _input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    """A value the policy core refused (unknown program, time zone, country, ...): 422."""
    return api.create_response(request, error_body(exc.message, exc.field), status=422)


api.add_exception_handler(InputError, _input_error)  # type: ignore[arg-type]


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/: the API's 404 (JSON), never the site's HTML page. A path
    whose object id is not a number (``/cases/x``) matches no route and lands here too."""
    return JsonResponse(error_body("Not found."), status=404)
