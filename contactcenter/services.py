"""Writes of the core. Every channel calls these; none writes core rows another way.

Each domain keeps its own writes (`contactcenter/<domain>/services.py` and its neighbours); this
module puts them under one name, the one a channel writes the core through (DESIGN: an app calls the
core only through its `services` and `selectors`)."""

from contactcenter.audit.services import *  # noqa: F403
from contactcenter.common.heartbeat import *  # noqa: F403
from contactcenter.knowledge.services import *  # noqa: F403
from contactcenter.ledger.rollups_refresh import *  # noqa: F403
from contactcenter.ledger.services import *  # noqa: F403
from contactcenter.live.conference import *  # noqa: F403
from contactcenter.live.consult import *  # noqa: F403
from contactcenter.live.monitoring import *  # noqa: F403
from contactcenter.live.office_work import *  # noqa: F403
from contactcenter.live.recordings import *  # noqa: F403
from contactcenter.live.services import *  # noqa: F403
from contactcenter.reference.kinds import *  # noqa: F403
from contactcenter.reference.mailing import *  # noqa: F403
from contactcenter.reference.services import *  # noqa: F403
from contactcenter.routing.contacts import *  # noqa: F403
from contactcenter.routing.queue_rollups_refresh import *  # noqa: F403
from contactcenter.routing.queue_settings import *  # noqa: F403
from contactcenter.routing.services import *  # noqa: F403
from contactcenter.staff.services import *  # noqa: F403
from contactcenter.staff.tokens import *  # noqa: F403
from contactcenter.subscriptions.services import *  # noqa: F403
from contactcenter.surveys.services import *  # noqa: F403
from contactcenter.telephony.texts import *  # noqa: F403
