"""One error format for the whole API.

Every error answer is ``{"errors": [{"field": <str | null>, "message": <str>}, ...]}``:
422 for input that does not validate (one entry per problem, ``field`` names where),
400 for a body that cannot be parsed, 401 without credentials, 403 for what the caller may
see but not do, 404 for what does not exist or is hidden from the caller (the same answer),
409 for a state conflict, and the status of any ``HttpError`` a view raises. Services'
errors (Django's ``ValidationError``, ``PermissionDenied``, ``ObjectDoesNotExist`` and
:class:`supportdesk.errors.Conflict`) map onto these. Bad input never gives a 500.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, Throttled, ValidationError, ValidationErrorContext

from supportdesk.errors import Conflict

# Where ninja says a value came from; the client knows, so the field name leaves it out.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


class FieldError(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    """The body of every error answer."""

    errors: list[FieldError]


def field_name(loc: Sequence[Any]) -> str | None:
    """``("body", "items", 0, "qty")`` -> ``"items.0.qty"``; None when about no one field."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(parts) or None


def error_body(message: str, field: str | None = None) -> dict[str, Any]:
    return {"errors": [{"field": field, "message": message}]}


#: The web server refuses a request line over 4 KB before the API sees it, in plain HTML.
TOO_LONG = {
    "description": "The query string is too long (the web server's answer, not JSON).",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


class SupportdeskAPI(NinjaAPI):
    """NinjaAPI that answers every error in the ErrorOut format."""

    def set_default_exception_handlers(self) -> None:
        super().set_default_exception_handlers()
        # ninja types a handler as taking "the exception or its class"; ours get instances.
        self.add_exception_handler(ValidationError, self._validation_error)  # type: ignore[arg-type]
        self.add_exception_handler(HttpError, self._http_error)  # type: ignore[arg-type]
        self.add_exception_handler(Throttled, self._throttled)  # type: ignore[arg-type]
        self.add_exception_handler(RequestDataTooBig, self._too_big)  # type: ignore[arg-type]
        self.add_exception_handler(Http404, self._not_found)  # type: ignore[arg-type]
        # what domain services refuse with (supportdesk.errors): the same format
        self.add_exception_handler(ObjectDoesNotExist, self._not_found)  # type: ignore[arg-type]
        self.add_exception_handler(PermissionDenied, self._forbidden)  # type: ignore[arg-type]
        self.add_exception_handler(DjangoValidationError, self._invalid)  # type: ignore[arg-type]
        self.add_exception_handler(Conflict, self._conflict)  # type: ignore[arg-type]

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The document, with every error answer the API can give listed on the operation
        that gives it: 401 where a sign-in is needed, 429 where a rate limit applies, 400,
        413 and 422 where a body or parameters are read, 404 where the path names an object,
        414 where a query string is read.
        Clients (and schema-driven fuzzers) can then rely on it."""
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorOut" not in components:
            error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(error_schema.pop("$defs", {}))
            components["ErrorOut"] = error_schema
        error = {
            "description": "Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        guarded = {
            operation.operation_id or self.get_openapi_operation_id(operation): operation
            for bound in self._get_bound_routers()
            for view in bound.path_operations.values()
            for operation in view.operations
        }
        for path, methods in schema["paths"].items():
            for spec in methods.values():
                operation = guarded.get(spec.get("operationId"))
                statuses = set()
                if operation is not None and operation.auth_callbacks:
                    statuses.add(401)
                if operation is not None and operation.throttle_objects:
                    statuses.add(429)
                if "requestBody" in spec:
                    statuses |= {400, 413, 422}
                if spec.get("parameters"):
                    statuses.add(422)
                if "{" in path:
                    statuses.add(404)
                responses = spec.setdefault("responses", {})
                for status in sorted(statuses):
                    responses.setdefault(str(status), error)
                if any(p.get("in") == "query" for p in spec.get("parameters", ())):
                    responses.setdefault("414", TOO_LONG)
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        exc = super().validation_error_from_error_contexts(error_contexts)
        # A lone body schema is read from the whole body, not from a key named after the
        # view's parameter: drop that name, so an error says "title", not "payload.title".
        wrappers = {
            (context.model.__ninja_param_source__, wrapper)
            for context in error_contexts
            if (wrapper := getattr(context.model, "__read_from_single_attr__", None))
        }
        for error in exc.errors:
            loc = tuple(error.get("loc", ()))
            if loc[:2] in wrappers:
                error["loc"] = (loc[0], *loc[2:])
        return exc

    def _validation_error(self, request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": field_name(error.get("loc", ())), "message": str(error.get("msg", error))}
            for error in exc.errors
        ]
        return self.create_response(request, {"errors": errors}, status=422)

    def _http_error(self, request: HttpRequest, exc: HttpError) -> HttpResponse:
        return self.create_response(request, error_body(exc.message), status=exc.status_code)

    def _throttled(self, request: HttpRequest, exc: Throttled) -> HttpResponse:
        """429, with Retry-After in whole seconds (api/throttling.py leaves the wait on the
        request: one throttle object serves all threads, so it cannot keep it)."""
        wait = getattr(request, "_sd_rate_wait", None)
        response = self.create_response(
            request, error_body("Too many requests: slow down and retry later."), status=429
        )
        if wait is not None:
            response["Retry-After"] = str(max(1, math.ceil(wait)))
        return response

    def _too_big(self, request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = f"The request body is larger than the {limit} bytes this endpoint accepts."
        return self.create_response(request, error_body(message), status=413)

    def _not_found(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        # one message whatever is missing, or hidden from the caller: nothing leaks
        return self.create_response(request, error_body("Not found."), status=404)

    def _forbidden(self, request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or "You may not do this."
        return self.create_response(request, error_body(message), status=403)

    def _invalid(self, request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        """A service's ValidationError: 422, one entry per message, named by field."""
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": None if name == "__all__" else name, "message": message}
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            errors = [{"field": None, "message": message} for message in exc.messages]
        return self.create_response(request, {"errors": errors}, status=422)

    def _conflict(self, request: HttpRequest, exc: Conflict) -> HttpResponse:
        return self.create_response(request, error_body(exc.message), status=409)
