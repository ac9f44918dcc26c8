"""Writes of the core. Every channel calls these; none writes core rows another way.

One module per part of the domain; callers use `contactcenter.services.<name>` whichever module
holds it."""

from .conference import *  # noqa: F403
from .consult import *  # noqa: F403
from .core import *  # noqa: F403
from .live import *  # noqa: F403
from .monitoring import *  # noqa: F403
from .queue_rollups import *  # noqa: F403
from .queues import *  # noqa: F403
from .recordings import *  # noqa: F403
from .reference import *  # noqa: F403
from .rollups import *  # noqa: F403
from .routing import *  # noqa: F403
from .surveys import *  # noqa: F403
from .tokens import *  # noqa: F403
