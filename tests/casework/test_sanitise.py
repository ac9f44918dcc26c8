import pytest

from casework.sanitise import html_to_text, sanitise_html

HOSTILE = (
    "<html><head><title>Inbox</title><style>p { display: none }</style><script>alert('head')</script></head>"
    '<body><p onclick="steal()" onmouseover="steal()" style="color:red">Case <b>EAC2190000001</b> &amp; more</p>'
    "<script>document.cookie</script><img src=x onerror=alert(1)>"
    '<a href="javascript:alert(1)">one</a> <a href=" JaVaScRiPt:alert(2)">two</a>'
    '<a href="https://www.uscis.gov/forms" title="Forms" onclick="x()">forms</a>'
    '<a href="mailto:cao@uscis.example.gov">mail</a> <a href="/casework/">relative</a>'
    "<!-- hidden --><iframe src=https://evil.example>frame</iframe></body></html>"
)


def test_script_style_and_event_handlers_are_removed_and_safe_links_kept():
    clean = sanitise_html(HOSTILE)
    for code in ("<script", "alert(", "document.cookie", "<style", "display: none", "Inbox", "<img", "<iframe"):
        assert code not in clean
    assert "onclick" not in clean and "onmouseover" not in clean and "onerror" not in clean
    assert "style=" not in clean and "<!--" not in clean and "hidden" not in clean
    assert "javascript" not in clean.lower()
    assert "<p>Case <b>EAC2190000001</b> &amp; more</p>" in clean
    assert '<a href="https://www.uscis.gov/forms" title="Forms" rel="noopener noreferrer">forms</a>' in clean
    assert 'href="mailto:cao@uscis.example.gov"' in clean
    # a link whose scheme is refused (or relative, pointing into this site) keeps its text, not its target
    assert '<a rel="noopener noreferrer">one</a>' in clean and 'href="/casework/"' not in clean


@pytest.mark.parametrize("raw", ["", None])
def test_nothing_in_is_nothing_out(raw):
    assert sanitise_html(raw) == "" and html_to_text(raw) == ""


def test_html_to_text_keeps_the_words_and_breaks_without_code():
    text = html_to_text(HOSTILE.replace("</p>", "</p><p>Second&nbsp;line<br>third</p>"))
    assert "alert" not in text and "document.cookie" not in text and "display" not in text
    assert "Inbox" not in text and "<" not in text
    assert text.splitlines()[:3] == ["Case EAC2190000001 & more", "Second\xa0line", "third"]
