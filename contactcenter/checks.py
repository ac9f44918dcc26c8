from django.core.checks import Error, Tags, register

from .urlwalk import iter_routes


@register(Tags.security, Tags.urls)
def every_view_declares_roles(app_configs, **kwargs):
    """A page or endpoint that does not say which roles it admits is a configuration error."""
    errors = []
    for route in iter_routes():
        if route.allowed_roles is None:
            errors.append(
                Error(
                    f"URL pattern {route.pattern!r} ({route.name}) declares no roles.",
                    hint="Decorate the view with @roles_required(...) or @public, or set allowed_roles.",
                    obj=route.callback,
                    id="contactcenter.E001",
                )
            )
    return errors
