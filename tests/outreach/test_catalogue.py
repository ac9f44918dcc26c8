"""The outreach app's own Spanish catalogue is complete and compiled."""

import gettext
import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "outreach" / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_outreach_string_has_a_current_spanish_translation():
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = [entry for entry in entries if entry.rstrip().endswith('msgstr ""')]
    assert untranslated == []
    assert "#, fuzzy" not in text
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', text, re.MULTILINE)
    assert len(pairs) > 400
    assert [
        msgid for msgid, msgstr in pairs if compiled.gettext(msgid.replace('\\"', '"')) != msgstr.replace('\\"', '"')
    ] == []
    with translation.override("es"):
        assert translation.gettext("Join the waitlist") == "Unirse a la lista de espera"
