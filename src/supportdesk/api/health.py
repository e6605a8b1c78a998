"""Liveness for load balancers and service managers: no login, no database."""

from importlib.metadata import version

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["health"])


class HealthOut(Schema):
    status: str
    version: str


@router.get("", response=HealthOut, auth=None, throttle=[], summary="Is the server up?")
def health(request: HttpRequest) -> HealthOut:
    return HealthOut(status="ok", version=version("supportdesk"))
