"""Write each workflow's state diagram into docs/architecture.md from its table, or check it is there.

Usage: python scripts/workflow_diagrams.py [--check]   (exit status 1 when the page is out of date)
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- workflows:begin -->", "<!-- workflows:end -->"


def workflows():
    from casework.workflows import INQUIRY, RESPONSE
    from contactcenter.live.workflows import SERVICE_REQUEST
    from contactcenter.reference.workflows import FORM_ORDER, MAILING_BATCH
    from contactcenter.routing.workflows import AGENT, LIVE_CONTACT
    from outreach.workflows import ENGAGEMENT, FEEDBACK, MAILING, REFERRAL, REGISTRATION

    return [
        ("Inquiry (casework/workflows.py)", INQUIRY),
        ("Response (casework/workflows.py)", RESPONSE),
        ("Service request (contactcenter/live/workflows.py)", SERVICE_REQUEST),
        ("Form order (contactcenter/reference/workflows.py)", FORM_ORDER),
        ("Mailing batch (contactcenter/reference/workflows.py)", MAILING_BATCH),
        ("Live contact (contactcenter/routing/workflows.py)", LIVE_CONTACT),
        ("Agent state (contactcenter/routing/workflows.py)", AGENT),
        ("Registration (outreach/workflows.py)", REGISTRATION),
        ("Case referral (outreach/workflows.py)", REFERRAL),
        ("Feedback (outreach/workflows.py)", FEEDBACK),
        ("Mailing (outreach/workflows.py)", MAILING),
        ("Engagement (outreach/workflows.py)", ENGAGEMENT),
    ]


def section() -> str:
    parts = [BEGIN, ""]
    for title, workflow in workflows():
        parts += [f"### {title}", "", "```mermaid", workflow.diagram(), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.test")
    import django

    django.setup()
    text = PAGE.read_text()
    fresh = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: section(), text, flags=re.S)
    if "--check" in sys.argv:
        if fresh != text:
            print(f"{PAGE.relative_to(ROOT)}: the workflow diagrams differ from the tables; run {sys.argv[0]}")
            return 1
        return 0
    PAGE.write_text(fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
