"""`manage.py seed_reference`: the shipped reference CSVs, ZIP centroids, and synthetic civil surgeons
and benefit cases with histories — deterministic for a seed, idempotent, through the import services."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import zipcodes
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from tqdm import tqdm

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.management.commands._reference_csv import import_csv
from contactcenter.models import AuditChannel, FieldOffice, OfficeKind, ProcessingTime, StatusHeadline, ZipCentroid
from contactcenter.reference.identifiers import RECEIPT_PREFIXES

DATA_DIR = Path(settings.BASE_DIR) / "data" / "reference"
CSV_FILES = [
    ("forms", "forms.csv"),
    ("offices", "offices.csv"),
    ("closures", "closures.csv"),
    ("processing_times", "processing_times.csv"),
    ("visa_bulletin", "visa_bulletin.csv"),
    ("cases", "demo_cases.csv"),
]

# Which offices a receipt-number prefix is issued for. The lockbox and online prefixes (NBC, MSC,
# IOE) reach the field offices too, where interviews happen.
PREFIX_OFFICES = {
    "EAC": {"VSC"},
    "WAC": {"CSC"},
    "LIN": {"NSC"},
    "SRC": {"TSC"},
    "YSC": {"PSC"},
    "NBC": {"NBC", "*field"},
    "MSC": {"NBC", "*field"},
    "IOE": {"*"},
}
PREFIX_WEIGHTS = {"EAC": 9, "WAC": 10, "LIN": 10, "SRC": 10, "NBC": 8, "MSC": 11, "IOE": 30, "YSC": 12}


def _words(text: str) -> list[str]:
    return text.split()


RECEIVED = "case-was-received"
FINGERPRINT_FEE = "fingerprint-fee-was-received"
BIOMETRICS = "biometrics-appointment-was-scheduled"
REVIEW = "case-is-being-actively-reviewed-by-uscis"
RFE = "request-for-additional-evidence-was-sent"
RFE_RESPONSE = "response-to-uscis-request-for-evidence-was-received"
INTERVIEW = "interview-was-scheduled"
TRANSFERRED = "case-was-transferred-and-a-new-office-has-jurisdiction"
APPROVED = "case-was-approved"
CARD_PRODUCED = "new-card-is-being-produced"
CARD_MAILED = "card-was-mailed-to-me"
CARD_DELIVERED = "card-was-delivered-to-me-by-the-post-office"
DENIED = "case-was-denied"
REJECTED = "case-was-rejected-because-it-was-improperly-filed"
# Days between one status and the next (low, high).
GAPS = {
    FINGERPRINT_FEE: (0, 3),
    BIOMETRICS: (12, 45),
    REVIEW: (20, 320),
    TRANSFERRED: (15, 120),
    RFE: (20, 240),
    RFE_RESPONSE: (25, 87),
    INTERVIEW: (30, 200),
    APPROVED: (1, 90),
    DENIED: (1, 90),
    CARD_PRODUCED: (1, 3),
    CARD_MAILED: (1, 5),
    CARD_DELIVERED: (2, 10),
    REJECTED: (3, 21),
}
CARD_FORMS = {"I-90", "I-485", "I-751", "I-765"}
BIOMETRIC_FORMS = {"I-90", "I-131", "I-485", "I-539", "I-751", "N-400"}
INTERVIEW_FORMS = {"N-400": 1.0, "I-485": 0.7, "I-751": 0.25, "I-130": 0.15}
PETITIONER_FORMS = {"I-129", "I-130", "I-140"}

EN_FIRST = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra "
    "Steven Ashley Andrew Emily Joshua Michelle Kevin Amanda Brian Melissa George Rebecca Edward Laura "
    "Ryan Grace Olivia Ethan"
)
EN_LAST = _words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson Martin "
    "Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams "
    "Baker Nelson Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart "
    "Morris Murphy Cook Rogers O'Brien"
)
ES_MALE = _words(
    "José Juan Luis Carlos Jorge Miguel Francisco Antonio Alejandro Manuel Ricardo Fernando Javier Pedro "
    "Raúl Eduardo Andrés Héctor Sergio Jesús Óscar Rafael"
)
ES_FEMALE = _words(
    "María Guadalupe Rosa Ana Carmen Sofía Lucía Isabel Gabriela Verónica Daniela Alejandra Mariana Adriana "
    "Paola Yesenia Valeria Marisol Araceli Beatriz Leticia Claudia"
)
ES_MALE_SECOND = _words("Luis Antonio Manuel Alberto Ángel Eduardo")
ES_FEMALE_SECOND = _words("Elena Isabel Fernanda Guadalupe Teresa Victoria")
ES_LAST = _words(
    "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez "
    "Díaz Cruz Morales Reyes Gutiérrez Ortiz Ramos Chávez Mendoza Ruiz Vásquez Castillo Jiménez Moreno "
    "Romero Herrera Medina Aguilar Vargas Castro Guzmán Salazar Rojas Delgado Peña Contreras Domínguez "
    "Espinoza Navarro Núñez"
)
OTHER_NAMES = [
    ("Wei", "Zhang"),
    ("Li", "Wang"),
    ("Xiu Ying", "Chen"),
    ("Priya", "Sharma"),
    ("Rahul", "Patel"),
    ("Anjali", "Reddy"),
    ("Thi Lan", "Nguyen"),
    ("Minh", "Tran"),
    ("Maria Cristina", "Santos"),
    ("Jose Rizal", "Dela Cruz"),
    ("Ji-woo", "Kim"),
    ("Seo-yeon", "Park"),
    ("Ahmed", "Hassan"),
    ("Fatima", "Al-Sayed"),
    ("Olena", "Kovalenko"),
    ("Dmitri", "Ivanov"),
    ("Chinedu", "Okafor"),
    ("Amara", "Diallo"),
    ("Jean-Pierre", "Joseph"),
    ("Marie-Claude", "Pierre"),
    ("Ana Paula", "Silva"),
    ("Tigist", "Bekele"),
    ("Arash", "Rahimi"),
    ("Nadia", "Haddad"),
]
STREETS = _words(
    "Main Oak Maple Pine Cedar Elm Washington Lake Hill Park Sunset Lincoln Jackson Highland Jefferson "
    "Madison Franklin Willow Meadow Ridge Church Center Mill River Spring Valley Forest Chestnut Walnut "
    "Cherry Broadway"
)
SUFFIXES = ["St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Way", "Pl", "Pkwy"]
PR_STREETS = ["Calle Luna", "Calle Sol", "Calle Loíza", "Calle San Jorge", "Avenida Ponce de León", "Calle Mayagüez"]
SURGEON_LANGUAGES = ["es", "zh", "vi", "ko", "tl", "ar", "ru", "fr", "ht", "pt", "hi", "pa", "fa", "pl", "uk"]


@dataclass(frozen=True)
class Place:
    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float
    area_code: str


class Command(BaseCommand):
    help = (
        "Load the shipped reference data (data/reference/*.csv) and ZIP centroids, then generate civil surgeons "
        "and benefit cases. Deterministic for a --seed; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=20000, help="Synthetic benefit cases (default 20000).")
        parser.add_argument("--surgeons", type=int, default=600, help="Synthetic civil surgeons (default 600).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR)

    def handle(self, *args, cases: int, surgeons: int, seed: int, data_dir: Path, **options):
        started = time.monotonic()
        context = AuditContext.system(channel=AuditChannel.COMMAND)
        for kind, name in CSV_FILES[:-1]:
            self._import(context, kind, data_dir / name)
        self._zip_centroids(context)
        # Cases and surgeons already on file are left alone: staff may have changed them since.
        self._import(context, "cases", data_dir / CSV_FILES[-1][1], create_only=True)
        places = _places()
        rng = random.Random(seed)  # noqa: S311 -- demo data, not secrets
        self._report(
            services.reference_rows_import(
                context=context, kind="civil_surgeons", rows=_surgeon_rows(rng, places, surgeons), create_only=True
            )
        )
        anchor = ProcessingTime.objects.aggregate(latest=Max("published_on"))["latest"] or date(2026, 11, 1)
        rows = tqdm(
            _case_rows(random.Random(seed + 1), places, cases, anchor),  # noqa: S311
            total=cases,
            desc="Benefit cases",
            unit="case",
            disable=None,
        )
        self._report(services.reference_rows_import(context=context, kind="cases", rows=rows, create_only=True))
        self.stdout.write(self.style.SUCCESS(f"Reference data ready in {time.monotonic() - started:.1f} s."))

    def _import(self, context: AuditContext, kind: str, path: Path, *, create_only: bool = False) -> None:
        self._report(import_csv(context=context, kind=kind, path=path, create_only=create_only), name=path.name)

    def _zip_centroids(self, context: AuditContext) -> None:
        # The full load compares 42,000 rows; skip it when an earlier run left them all in place.
        if ZipCentroid.objects.count() >= sum(1 for z in zipcodes.list_all() if float(z["lat"]) or float(z["long"])):
            self.stdout.write("zip_centroids: already loaded")
            return
        call_command("load_zip_centroids", stdout=self.stdout, stderr=self.stderr)

    def _report(self, report: services.ImportReport, *, name: str = "") -> None:
        for error in report.errors[:20]:
            self.stderr.write(f"{name or report.kind}:{error.line}: {error.field or 'row'}: {error.message}")
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError(f"The shipped reference data did not import cleanly ({report.kind}).")


def _places() -> list[Place]:
    """Every standard (street-delivery) ZIP code with a location, in a stable order."""
    return [
        Place(
            z["zip_code"],
            z["city"].title(),
            z["state"],
            float(z["lat"]),
            float(z["long"]),
            (z["area_codes"] or [""])[0],
        )
        for z in sorted(zipcodes.list_all(), key=lambda z: z["zip_code"])
        if z["zip_code_type"] == "STANDARD" and (float(z["lat"]) or float(z["long"])) and z["area_codes"]
    ]


def _person(rng: random.Random) -> tuple[str, bool]:
    """A name and whether it is Hispanic."""
    roll = rng.random()
    if roll < 0.45:
        firsts, seconds = (ES_FEMALE, ES_FEMALE_SECOND) if rng.random() < 0.5 else (ES_MALE, ES_MALE_SECOND)
        first = rng.choice(firsts) + (f" {rng.choice(seconds)}" if rng.random() < 0.4 else "")
        last = rng.choice(ES_LAST) + (f" {rng.choice(ES_LAST)}" if rng.random() < 0.65 else "")
        return f"{first} {last}", True
    if roll < 0.8:
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}", False
    first, last = rng.choice(OTHER_NAMES)
    return f"{first} {last}", False


def _street(rng: random.Random, place: Place) -> str:
    if place.state == "PR":
        return f"{rng.choice(PR_STREETS)} {rng.randint(1, 999)}"
    direction = rng.choice(["", "N ", "S ", "E ", "W "])
    line = f"{rng.randint(10, 19999)} {direction}{rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
    if rng.random() < 0.35:
        line += f" Apt {rng.randint(1, 40)}{rng.choice(['', 'A', 'B', 'C'])}"
    return line


def _surgeon_rows(rng: random.Random, places: list[Place], count: int) -> Iterator[dict[str, str]]:
    """Civil surgeons cluster where field offices (and people) are: most sit within reach of one."""
    offices = list(FieldOffice.objects.filter(kind=OfficeKind.FIELD_OFFICE).order_by("code"))
    by_prefix: dict[str, list[Place]] = {}
    for place in places:
        by_prefix.setdefault(place.zip_code[:3], []).append(place)
    seen: set[tuple[str, str]] = set()
    made = 0
    while made < count:
        office = rng.choice(offices) if offices and rng.random() < 0.85 else None
        prefix = rng.choice(office.zip_prefixes or [office.zip_code[:3]]) if office else None
        place = rng.choice(by_prefix.get(prefix) or places)
        name, hispanic = _person(rng)
        name = f"{name}, {rng.choice(['MD', 'MD', 'MD', 'DO'])}"
        if (name, place.zip_code) in seen:
            continue
        seen.add((name, place.zip_code))
        made += 1
        surname = name.split(",")[0].split()[-1]
        practice = rng.choice(
            [
                f"{surname} Family Medicine",
                f"{place.city} Immigration Medical Exams",
                f"{surname} Medical Group",
                f"{place.city} Urgent Care",
                f"{place.city} Community Health Center",
            ]
            + ([f"Clínica Familiar {surname}"] if hispanic else [])
        )
        languages = ["en"] + (["es"] if hispanic or rng.random() < 0.3 else [])
        languages += rng.sample(
            [code for code in SURGEON_LANGUAGES if code not in languages], k=rng.choice([0, 0, 1, 2])
        )
        yield {
            "name": name,
            "practice": practice,
            "address_line": _street(rng, place).replace(" Apt ", " Suite "),
            "city": place.city,
            "state": place.state,
            "zip_code": place.zip_code,
            "latitude": f"{place.latitude + rng.uniform(-0.01, 0.01):.5f}",
            "longitude": f"{place.longitude + rng.uniform(-0.01, 0.01):.5f}",
            "phone": f"({place.area_code}) 555-01{rng.randint(0, 99):02d}",
            "languages": ";".join(languages),
        }


def _workday(day: date) -> tuple[int, int]:
    """(fiscal year, weekday number within it): the FY and workday of a legacy receipt number."""
    fiscal_year = day.year + 1 if day.month >= 10 else day.year
    start = date(fiscal_year - 1, 10, 1)
    days = (day - start).days
    weekdays = days // 7 * 5 + sum(1 for n in range(days % 7) if (start.weekday() + n) % 7 < 5)
    return fiscal_year % 100, min(weekdays + 1, 999)


def _path(rng: random.Random, form: str, forced: str | None) -> list[str]:
    """The statuses a case passes through, in order, ending at its decision (or card delivery)."""
    steps = [RECEIVED]
    if forced == REJECTED or (forced is None and rng.random() < 0.02):
        return [*steps, REJECTED]
    if form in BIOMETRIC_FORMS or forced in (FINGERPRINT_FEE, BIOMETRICS):
        if forced == FINGERPRINT_FEE or rng.random() < 0.15:
            steps.append(FINGERPRINT_FEE)
        steps.append(BIOMETRICS)
    steps.append(REVIEW)
    if forced == TRANSFERRED or (forced is None and rng.random() < 0.07):
        steps.append(TRANSFERRED)
    if forced in (RFE, RFE_RESPONSE) or rng.random() < 0.22:
        steps += [RFE, RFE_RESPONSE]
    if forced == INTERVIEW or rng.random() < INTERVIEW_FORMS.get(form, 0.0):
        steps.append(INTERVIEW)
    if forced == DENIED or (forced is None and rng.random() < 0.08):
        return [*steps, DENIED]
    steps.append(APPROVED)
    if form in CARD_FORMS:
        steps += [CARD_PRODUCED, CARD_MAILED, CARD_DELIVERED]
    return steps


def _case_rows(rng: random.Random, places: list[Place], count: int, anchor: date) -> Iterator[dict[str, str]]:
    headline_codes = list(StatusHeadline.objects.order_by("pk").values_list("code", flat=True))
    latest = ProcessingTime.objects.aggregate(latest=Max("published_on"))["latest"]
    triples = list(
        ProcessingTime.objects.filter(published_on=latest)
        .select_related("form", "office")
        .order_by("form__number", "category", "office__code")
    )
    if not triples:
        raise CommandError("No processing times are loaded; cases need their form, category and office.")
    by_prefix_zip: dict[str, list[Place]] = {}
    for place in places:
        by_prefix_zip.setdefault(place.zip_code[:3], []).append(place)
    prefixes, weights = list(PREFIX_WEIGHTS), list(PREFIX_WEIGHTS.values())
    used: set[str] = set()
    for n in range(count):
        # The first cases walk every prefix and every status; the rest are drawn by weight.
        prefix = RECEIPT_PREFIXES[n] if n < len(RECEIPT_PREFIXES) else rng.choices(prefixes, weights)[0]
        forced = headline_codes[n] if n < len(headline_codes) else None
        allowed = PREFIX_OFFICES[prefix]
        candidates = [
            t
            for t in triples
            if "*" in allowed or t.office.code in allowed or ("*field" in allowed and t.office.kind == "field")
        ]
        if forced in (CARD_PRODUCED, CARD_MAILED, CARD_DELIVERED):
            candidates = [t for t in candidates if t.form.number in CARD_FORMS] or candidates
        elif forced == INTERVIEW:
            candidates = [t for t in candidates if t.form.number in INTERVIEW_FORMS] or candidates
        triple = rng.choice(candidates)
        form = triple.form.number
        steps = _path(rng, form, forced)
        if forced:
            steps = steps[: steps.index(forced) + 1]
        # Recent receipts outnumber old ones, as in any pending caseload.
        received = anchor - timedelta(days=int(rng.triangular(3, 4 * 365, 20)))
        if forced:
            received = anchor - timedelta(days=rng.randint(2 * 365, 3 * 365))
        history: list[tuple[str, date]] = [(RECEIVED, received)]
        when = received
        for code in steps[1:]:
            low, high = GAPS[code]
            when += timedelta(days=rng.randint(low, high))
            if when > anchor and not forced:
                break
            history.append((code, min(when, anchor)))
        fiscal_year, workday = _workday(received)
        while True:
            receipt = f"{prefix}{fiscal_year:02d}{workday:03d}{rng.randint(0, 99999):05d}"
            if receipt not in used:
                used.add(receipt)
                break
        office = triple.office
        home_pool = by_prefix_zip.get(rng.choice(office.zip_prefixes)) if office.zip_prefixes else None
        place = rng.choice(home_pool or places)
        name, _ = _person(rng)
        youngest = 18 if form == "N-400" else 14
        born = received - timedelta(days=rng.randint(youngest * 365 + 5, 80 * 365))
        a_number = ""
        if rng.random() < (0.2 if form in PETITIONER_FORMS else 0.9):
            digits = rng.choices([7, 8, 9], [1, 3, 6])[0]
            a_number = f"A{rng.randint(10 ** (digits - 1), 10**digits - 1)}"
        yield {
            "receipt_number": receipt,
            "form": form,
            "category": triple.category,
            "office": office.code,
            "received_on": received.isoformat(),
            "status": history[-1][0],
            "status_on": history[-1][1].isoformat(),
            "applicant_name": name,
            "date_of_birth": born.isoformat(),
            "a_number": a_number,
            "mailing_address_line": _street(rng, place),
            "mailing_city": place.city,
            "mailing_state": place.state,
            "mailing_zip": place.zip_code,
            "history": ";".join(f"{code}:{day.isoformat()}" for code, day in history),
        }
