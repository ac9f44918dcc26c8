"""A file e-mail backend that pauses before writing a CAO response, so a test can kill a worker
in the middle of sending it."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        if any("cao-response-" in str(m.extra_headers.get("Message-ID", "")) for m in email_messages):
            Path(self.file_path, "sending.marker").write_text(str(os.getpid()))
            time.sleep(float(os.environ.get("CASEWORK_TEST_SEND_DELAY", "0")))
        return super().send_messages(email_messages)
