"""The customer feedback survey's figures (supervisor page and API), its rows on a receipt number's
history, and who may see them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory
import pytest
from django.db import IntegrityError

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent, SurveyResponse, Topic
from contactcenter.staff.roles import Role

EASTERN = ZoneInfo("America/New_York")
DAY = datetime(2026, 12, 2, 15, 0, tzinfo=EASTERN)
PERIOD = {"start": "2026-12-01", "end": "2026-12-03"}


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    source_app = "ivr"
    source_model = "call"
    source_id = factory.Sequence(lambda n: f"CAsurvey{n:08d}")
    channel = "ivr"
    language = "en"
    topic = factory.LazyFunction(lambda: Topic.objects.get(code="case-status"))
    method = "keypad"
    satisfaction = 5
    trust = 4
    created_at = DAY


@pytest.fixture
def answers(db):
    SurveyResponseFactory(language="es", satisfaction=5, trust=5, receipt_number="EAC2190000001")
    SurveyResponseFactory(language="es", satisfaction=2, trust=None)
    SurveyResponseFactory(
        channel="tier1", queue_name="tier1-en", method="text", source_app="contactcenter", satisfaction=4, trust=3
    )
    SurveyResponseFactory(channel="tier1", method="text", text_to="+12025550100", satisfaction=None, trust=None)
    SurveyResponseFactory(created_at=datetime(2026, 11, 1, 12, 0, tzinfo=EASTERN))  # outside the period


def test_figures_by_channel_queue_language_and_topic(answers):
    figures = selectors.survey_figures(start=date(2026, 12, 1), end=date(2026, 12, 3))
    overall = figures["all"][0]
    assert (overall.responses, overall.satisfaction_answers, overall.trust_answers) == (3, 3, 2)
    assert overall.satisfaction_mean == pytest.approx(3.67)
    assert overall.satisfaction_percent == 67  # 5 and 4 agree, 2 does not
    by_language = {row.key: row for row in figures["language"]}
    assert (by_language["es"].responses, by_language["es"].satisfaction_mean) == (2, 3.5)
    assert by_language["es"].trust_percent == 100
    assert {row.key: row.responses for row in figures["channel"]} == {"ivr": 2, "tier1": 1}
    assert {row.key: row.responses for row in figures["queue"]} == {"": 2, "tier1-en": 1}
    assert [(row.key, row.responses) for row in figures["topic"]] == [("case-status", 3)]


def test_the_api_gives_the_same_figures_to_a_supervisor(answers, client_as):
    body = client_as(Role.SUPERVISOR).get("/api/surveys/figures/", PERIOD).json()
    assert body["start"] == "2026-12-01" and body["all"]["responses"] == 3
    assert {row["key"]: row["satisfaction_percent"] for row in body["by_language"]} == {"es": 50, "en": 100}
    assert {row["key"] for row in body["by_queue"]} == {"", "tier1-en"}
    assert body["by_topic"][0]["label"] == "Case status"


def test_a_bad_period_is_refused(client_as):
    response = client_as(Role.SUPERVISOR).get("/api/surveys/figures/", {"start": "2026-12-03", "end": "2026-12-01"})
    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.CSR, Role.CAO_ANALYST, Role.OUTREACH_STAFF])
def test_roles_other_than_supervisor_are_refused(answers, client_as, role):
    client = client_as(role)
    assert client.get("/reports/surveys/", PERIOD).status_code == 403
    assert client.get("/api/surveys/figures/", PERIOD).status_code == 403


def test_the_supervisor_page_shows_each_dimension(answers, client_as):
    page = client_as(Role.SUPERVISOR).get("/reports/surveys/", PERIOD).content.decode()
    for row in ("channel:ivr", "channel:tier1", "queue:tier1-en", "language:es", "topic:case-status"):
        assert f'data-survey-row="{row}"' in page
    assert "No queue (self-service)" in page


def test_each_answer_is_on_the_receipt_numbers_history_and_the_view_is_audited(seeded_cases, client_as):
    SurveyResponseFactory(language="es", satisfaction=5, trust=4, receipt_number="EAC2190000001")
    client = client_as(Role.CSR)
    page = client.get("/cases/EAC2190000001/").content.decode()
    assert "Customer feedback survey answers" in page
    assert "data-survey=" in page and "Phone keypad or voice" in page
    audit = AuditEvent.objects.filter(target_type="receipt_number", target_id="EAC2190000001").latest("id")
    assert audit.detail["survey_answers_shown"] == "1"


def test_outreach_staff_do_not_see_phone_survey_answers(seeded_cases, make_staff):
    SurveyResponseFactory(receipt_number="EAC2190000001")
    outreach = make_staff(Role.OUTREACH_STAFF)
    assert not selectors.survey_responses_for_receipt_number(user=outreach, receipt_number="EAC2190000001")


def test_the_same_answer_twice_is_recorded_once(db):
    context = AuditContext.system()
    kwargs = {
        "context": context,
        "channel": "ivr",
        "source_app": "ivr",
        "source_model": "call",
        "source_id": "CAonce",
        "method": "keypad",
        "language": "es",
        "topic_code": "forms",
    }
    services.survey_answer_record(**kwargs, question="satisfaction", score=4)
    services.survey_answer_record(**kwargs, question="satisfaction", score=4)
    services.survey_answer_record(**kwargs, question="trust", score=2)
    response = SurveyResponse.objects.get()
    assert (response.satisfaction, response.trust, response.topic.code) == (4, 2, "forms")
    assert AuditEvent.objects.filter(target_type="contactcenter.surveyresponse").count() == 2


def _insert(source_id: str, **defaults):
    from contactcenter.surveys.services import _response_for

    defaults = {"channel": "ivr", "method": "keypad", "language": "en", **defaults}
    return _response_for(source_app="ivr", source_model="call", source_id=source_id, defaults=defaults)


def test_an_insert_meeting_the_same_sources_row_takes_that_row(db):
    first, created = _insert("CAsame", satisfaction=4)
    again, created_again = _insert("CAsame", satisfaction=2)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and SurveyResponse.objects.get().satisfaction == 4


def test_any_other_integrity_error_on_insert_is_raised_not_taken_for_the_sources_row(db, monkeypatch):
    """Only survey_response_unique_source means "already there" (Postgres names it, SQLite its columns)."""
    existing = SurveyResponseFactory()
    with pytest.raises(IntegrityError):  # the primary key's clash, another unique index
        _insert("CAnew", id=existing.pk)
    # A check constraint the model's validation would have caught first.
    monkeypatch.setattr(SurveyResponse, "full_clean", lambda self, **kwargs: None)
    with pytest.raises(IntegrityError, match=r"survey_response_satisfaction_1_5"):
        _insert("CAcheck", satisfaction=9)
    assert list(SurveyResponse.objects.values_list("source_id", flat=True)) == [existing.source_id]
