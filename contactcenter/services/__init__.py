"""Writes of the core. Every channel calls these; none writes core rows another way.

One module per part of the domain; callers use `contactcenter.services.<name>` whichever module
holds it."""

from contactcenter.ledger.rollups_refresh import *  # noqa: F403
from contactcenter.ledger.services import *  # noqa: F403
from contactcenter.live.conference import *  # noqa: F403
from contactcenter.live.consult import *  # noqa: F403
from contactcenter.live.monitoring import *  # noqa: F403
from contactcenter.live.recordings import *  # noqa: F403
from contactcenter.live.services import *  # noqa: F403
from contactcenter.reference.services import *  # noqa: F403
from contactcenter.routing.queue_rollups_refresh import *  # noqa: F403
from contactcenter.routing.queue_settings import *  # noqa: F403
from contactcenter.routing.services import *  # noqa: F403
from contactcenter.staff.tokens import *  # noqa: F403
from contactcenter.surveys.services import *  # noqa: F403
