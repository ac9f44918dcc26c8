from contactcenter.consoles.registry import consoles_for
from contactcenter.staff.roles import user_roles


def roles(request):
    held = user_roles(getattr(request, "user", None))
    return {"user_roles": held, "consoles": consoles_for(held) if held else []}
