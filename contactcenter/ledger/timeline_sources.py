"""What a channel adds to the timeline of a ledger entry it recorded: the steps a caller took in the
IVR, for one. The core never imports a channel: each app registers its source in
`AppConfig.ready()` (ivr/apps.py), keyed by the `source_app` of its ledger entries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

# Given ledger entry ids of one app, the step codes of each (contactcenter/templatetags/ivr_labels.py
# says them in words).
StepsSource = Callable[[list[int]], dict[int, list[str]]]

_STEPS_SOURCES: dict[str, StepsSource] = {}


def register_steps_source(source_app: str, source: StepsSource) -> None:
    _STEPS_SOURCES[source_app] = source


def steps_by_interaction(interactions: Iterable) -> dict[int, list[str]]:
    """The steps of each entry whose app registered a source; none for an entry the reader may only
    see exists (restricted): its details are not theirs to read."""
    ids_by_app: dict[str, list[int]] = defaultdict(list)
    for interaction in interactions:
        if interaction.source_app in _STEPS_SOURCES and not getattr(interaction, "restricted", False):
            ids_by_app[interaction.source_app].append(interaction.pk)
    steps: dict[int, list[str]] = {}
    for source_app, ids in ids_by_app.items():
        steps.update(_STEPS_SOURCES[source_app](ids))
    return steps
