"""DRF plumbing every app's API uses: pagination, query filters and the one error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from contactcenter.common.errors import ApplicationError
from contactcenter.common.workflows import Workflow
from contactcenter.reference.identifiers import InvalidIdentifier


def _positive_int(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        raise ValidationError({name: [f"A whole number of 1 or more is required, not {raw[:20]!r}."]})
    return int(raw)


class StandardPagination(PageNumberPagination):
    """`page` and `page_size` must be whole numbers (400 naming the parameter otherwise); a page past
    the last is 404, as DRF answers it."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        _positive_int(request, self.page_size_query_param)
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        _positive_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)


class AllowedActionsField(serializers.ListField):
    """What the requesting user may do to the object now, from its workflow's table (the same set
    the pages show buttons for and the services enforce), sorted by name."""

    def __init__(self, *, workflow: Workflow, actions: Callable[[Any, Any], frozenset[str]], **kwargs) -> None:
        offered = sorted({row.action for row in workflow.transitions if not row.automatic})
        kwargs.setdefault("help_text", f"The actions you may take now, of: {', '.join(offered)}.")
        super().__init__(child=serializers.CharField(), read_only=True, source="*", **kwargs)
        self.actions = actions

    def to_representation(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:  # nobody asking: no person's actions to list
            return []
        return sorted(self.actions(obj, request.user))


def query_filters(request, serializer_class: type[serializers.Serializer]) -> dict:
    """A list endpoint's query parameters, validated by `serializer_class` (choices checked, dates
    and numbers parsed): an invalid value is a 400 naming the parameter, never a query that reaches
    the database. Declare the same serializer in the endpoint's `extend_schema(parameters=[...])`."""
    found = serializer_class(data=request.query_params)
    found.is_valid(raise_exception=True)
    return {name: value for name, value in found.validated_data.items() if value not in (None, "")}


def exception_handler(exc, context):
    """One shape for every domain refusal: 400 {"message", "extra"}, and "fields" ({argument: [problems]})
    when the refusal names what it is about. "extra" still holds the "field" and "fields" the refusal
    was given, as it did before they were top-level, for the clients that read them there."""
    if isinstance(exc, ApplicationError):
        body = {"message": exc.message, "extra": {**exc.named, **exc.extra}}
        if exc.fields:
            body["fields"] = exc.fields
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, InvalidIdentifier):
        return Response({"message": str(exc), "extra": {}}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            {"message": "Invalid input.", "extra": {"fields": detail}, "fields": detail},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
