"""The OpenAPI schema's generator: drf-spectacular's, plus the error answers every operation gives.
Its own module: drf_spectacular.openapi imports DRF's generics, which import our pagination."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
# A 400 is one of: {"message", "extra"[, "fields"]} (a domain refusal), {"<field or parameter>": [reasons]}
# (invalid input), or {"detail"} (an unreadable body, a NUL character): an object in every case, so the
# schema types no property (a serializer's field may be called "message" and answer a list).
_BAD_REQUEST = OpenApiResponse(
    response={"type": "object", "additionalProperties": True},
    description=(
        "Invalid input: the body names the field or parameter, or the refusal's reason. A refusal is "
        '{"message", "extra", "fields"}: "fields" ({argument: [problems]}) when it names what it is '
        'about, and "extra" holds anything else to act on, with the same "field" and "fields" it has '
        "always carried."
    ),
)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error answers every operation really gives: 400 (invalid
    input, a NUL character anywhere), 401 (no or a bad token), 403 (a role the endpoint does not
    admit), 404 (an object out of the caller's scope, or a page past the last), 405 and 415, and 429
    where a throttle applies. Without them a generated client treats a documented refusal as an
    unknown answer."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {
            "400": _BAD_REQUEST,
            "401": OpenApiResponse(_DETAIL, description="Not signed in, or the token is not valid."),
            "403": OpenApiResponse(_DETAIL, description="Your role does not give access to this operation."),
            "404": OpenApiResponse(_DETAIL, description="Not found, or outside what your role may see."),
        }
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = OpenApiResponse(_DETAIL, description="The body's media type is not accepted.")
        if getattr(self.view, "throttle_classes", None):
            errors["429"] = OpenApiResponse(_DETAIL, description="Too many requests; try again later.")
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
