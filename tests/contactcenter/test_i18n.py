import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_every_catalogue_entry_has_a_spanish_translation():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]
    untranslated = [
        entry.split("msgid ", 1)[1].split("\n", 1)[0]
        for entry in entries
        if re.search(r'^msgstr(\[0\])? ""\n?$', entry.strip().split("\n")[-1] + "\n", re.MULTILINE)
        and not re.search(r'^"', entry.strip().split("\n")[-1])
    ]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8").split("\n\n", 1)[1]


def test_compiled_catalogue_is_current():
    """Every translation in the .po is in the committed .mo (run `make messages` after editing)."""
    import gettext

    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    singular = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', PO.read_text(encoding="utf-8"), re.MULTILINE)
    stale = [
        msgid
        for msgid, msgstr in singular
        if compiled.gettext(msgid.replace('\\"', '"')) == msgid.replace('\\"', '"') and msgid != msgstr
    ]
    assert len(singular) > 150  # the pattern still reads the catalogue
    assert stale == []
    with translation.override("es"):
        assert translation.gettext("Skip to main content") == "Saltar al contenido principal"
        assert translation.gettext("Case on file") == "Caso registrado"
