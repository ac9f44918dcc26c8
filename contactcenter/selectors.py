"""Reads of the core that views, the API, the IVR and the other apps share.

Each domain keeps its own reads (`contactcenter/<domain>/selectors.py`); this module puts them under
one name, the one a channel reads the core through (DESIGN: an app calls the core only through its
`services` and `selectors`)."""

from contactcenter.common.health import *  # noqa: F403
from contactcenter.knowledge.selectors import *  # noqa: F403
from contactcenter.ledger.selectors import *  # noqa: F403
from contactcenter.live.selectors import *  # noqa: F403
from contactcenter.reference.selectors import *  # noqa: F403
from contactcenter.routing.selectors import *  # noqa: F403
from contactcenter.staff.selectors import *  # noqa: F403
from contactcenter.subscriptions.selectors import *  # noqa: F403
from contactcenter.surveys.selectors import *  # noqa: F403
