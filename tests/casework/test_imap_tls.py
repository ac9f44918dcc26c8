"""`ingest_mail --imap` over IMAPS: the server's certificate and host name are verified before the
password is sent, with the system's CAs or the private CA in CASEWORK_IMAP_CA_FILE."""

import ssl
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from casework.models import Inquiry
from tests.casework.imap_server import ImapServer, Mailbox

MAIL = Path(__file__).parent / "mail"
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for the name "localhost" only (not 127.0.0.1), and its key."""
    folder = tmp_path_factory.mktemp("imap-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def imaps(certificate, settings):
    cert, key = certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    box = Mailbox([(MAIL / "ombudsman.eml").read_bytes()])
    server = ImapServer(box, tls=tls)
    settings.CASEWORK_IMAP_PORT, settings.CASEWORK_IMAP_SSL = server.port, True
    settings.CASEWORK_IMAP_USER, settings.CASEWORK_IMAP_PASSWORD = "cao", "secret"
    yield box
    server.shutdown()
    server.server_close()


def _ingest() -> str:
    out = StringIO()
    call_command("ingest_mail", "--imap", stdout=out)
    return out.getvalue()


def test_an_unknown_certificate_is_refused_before_the_password_is_sent(imaps, settings):
    settings.CASEWORK_IMAP_HOST, settings.CASEWORK_IMAP_CA_FILE = "localhost", ""
    with pytest.raises(CommandError, match=r"was refused: .*self-signed certificate.*CASEWORK_IMAP_CA_FILE"):
        _ingest()
    assert imaps.logins == [] and imaps.seen == set() and not Inquiry.objects.exists()


def test_a_certificate_for_another_name_is_refused_even_from_the_trusted_ca(imaps, settings, certificate):
    settings.CASEWORK_IMAP_HOST, settings.CASEWORK_IMAP_CA_FILE = "127.0.0.1", str(certificate[0])
    with pytest.raises(CommandError, match="was refused: IP address mismatch"):
        _ingest()
    assert imaps.logins == [] and not Inquiry.objects.exists()


def test_the_private_ca_in_the_settings_is_trusted(imaps, settings, certificate):
    settings.CASEWORK_IMAP_HOST, settings.CASEWORK_IMAP_CA_FILE = "localhost", str(certificate[0])
    assert _ingest().startswith("1 inquiries created")
    assert imaps.logins == [("cao", "secret")] and imaps.seen == {1}
    assert Inquiry.objects.get().message_id == "<ombudsman-0001@cisomb.dhs.gov>"
