"""CAO's letters: a response by printed letter and a DHS TRIP determination, on agency letterhead.

One template (`casework/_letter.html`) draws a letter's content: the printable page shows it in the
browser and the PDF is fpdf2's rendering of the very same HTML, one letter or the day's batch (a page
break between letters). The PDF embeds DejaVu Sans (shipped in casework/fonts/ under its free
licence, LICENSE there) so Spanish accents and names such as "Nguyễn" print as written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from contactcenter.models import Language

from .models import Response, ResponseStatus, TripRedress

FONT_DIR = Path(__file__).resolve().parent / "fonts"
TEMPLATE = "casework/_letter.html"


@dataclass(frozen=True)
class Letterhead:
    agency: str
    office: str
    address: tuple[str, ...]
    signer_title: str


USCIS_CAO = Letterhead(
    agency="U.S. Citizenship and Immigration Services",
    office="Customer Assistance Office",
    address=("5900 Capital Gateway Drive", "Camp Springs, MD 20746"),
    signer_title="Customer Assistance Office",
)
DHS_TRIP = Letterhead(
    agency="Department of Homeland Security",
    office="Traveler Redress Inquiry Program (DHS TRIP)",
    address=("6595 Springfield Center Drive, TSA-901", "Springfield, VA 20598-6901"),
    signer_title="DHS Traveler Redress Inquiry Program",
)


@dataclass(frozen=True)
class Letter:
    """What a letter says, whichever way it is drawn."""

    letterhead: Letterhead
    language: str
    dated: date
    reference_kind: str  # "confirmation" (a CAO inquiry) or "redress" (a DHS TRIP control number)
    reference: str
    recipient: tuple[str, ...]
    subject: str
    body: str
    signer: str
    final: bool
    filename: str

    @property
    def is_redress(self) -> bool:
        return self.reference_kind == "redress"


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def response_letter(response: Response) -> Letter:
    inquiry = response.inquiry
    correspondent = inquiry.correspondent
    when = response.sent_at or response.approved_at or response.created_at or timezone.now()
    drafter = response.drafted_by
    return Letter(
        letterhead=USCIS_CAO,
        language=response.language or Language.ENGLISH,
        dated=timezone.localdate(when),
        reference_kind="confirmation",
        reference=inquiry.reference,
        recipient=(correspondent.name, *_lines(correspondent.organisation), *_lines(correspondent.address)),
        subject=response.subject,
        body=response.body,
        signer=(drafter.get_full_name() or drafter.get_username()) if drafter else "",
        final=response.status == ResponseStatus.SENT,
        filename=f"letter-{inquiry.reference}-{response.pk}.pdf",
    )


def trip_letter(trip: TripRedress) -> Letter:
    correspondent = trip.inquiry.correspondent
    care_of = () if correspondent.name == trip.traveller_name else (f"c/o {correspondent.name}",)
    return Letter(
        letterhead=DHS_TRIP,
        language=Language.ENGLISH,
        dated=timezone.localdate(trip.determined_at or timezone.now()),
        reference_kind="redress",
        reference=trip.redress_control_number,
        recipient=(trip.traveller_name, *care_of, *_lines(correspondent.address)),
        subject="",
        body=trip.determination_letter,
        signer="",
        final=True,
        filename=f"trip-determination-{trip.redress_control_number}.pdf",
    )


def letter_html(letter: Letter) -> str:
    return render_to_string(TEMPLATE, {"letter": letter})


def letters_pdf(letters: Iterable[Letter], *, title: str) -> bytes:
    """The letters as one PDF, each starting on a new US Letter page."""
    from fpdf import FPDF
    from fpdf.fonts import TextStyle

    pdf = FPDF(unit="mm", format="letter")
    pdf.set_title(title)
    pdf.set_creator("NCSC contact center")
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(True, margin=20)
    pdf.compress = getattr(settings, "CASEWORK_LETTER_PDF_COMPRESS", True)
    pdf.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    styles = {
        "h1": TextStyle(font_family="DejaVu", font_style="B", font_size_pt=15, color=0, t_margin=0, b_margin=1),
    }
    for letter in letters:
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        pdf.write_html(letter_html(letter), tag_styles=styles)
    if pdf.page == 0:
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        pdf.write_html("<p>No letters.</p>")
    return bytes(pdf.output())
