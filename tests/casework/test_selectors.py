"""Casework reads: the case- and accent-folding the queue's search uses, on Postgres and SQLite."""


def test_search_folding_drops_case_and_accents():
    from casework.selectors import fold

    assert fold("María NÚÑEZ") == fold("maria nunez") == "maria nunez"
    assert fold("Straße ǅ ﬁ") == "strasse dz fi"
    assert fold(None) is None


def test_sqlite_connections_get_the_folding_function():
    import sqlite3
    from types import SimpleNamespace

    from casework.selectors import FOLD_FUNCTION, register_fold_function

    raw = sqlite3.connect(":memory:")
    register_fold_function(sender=None, connection=SimpleNamespace(vendor="sqlite", connection=raw))
    found = raw.execute(f"SELECT {FOLD_FUNCTION}('Escribió María') LIKE ?", [f"%{'maria'}%"]).fetchone()
    assert found == (1,)
    assert raw.execute(f"SELECT {FOLD_FUNCTION}(NULL)").fetchone() == (None,)
