from django.core.checks import Error, Tags, Warning, register

from contactcenter.common.urlwalk import iter_routes


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


@register(Tags.compatibility, deploy=True)
def live_tier_keeps_its_hours(app_configs, **kwargs):
    """The training switch that opens Tier 1 at any hour must never reach production."""
    from django.conf import settings

    if getattr(settings, "TIER1_ALWAYS_OPEN", False):
        return [
            Warning(
                "TIER1_ALWAYS_OPEN is on: callers are offered a representative outside 8 a.m.–8 p.m.",
                hint="Set TIER1_ALWAYS_OPEN=false outside training and demo environments.",
                id="contactcenter.W002",
            )
        ]
    return []
