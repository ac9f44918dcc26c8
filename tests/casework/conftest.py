import pytest


@pytest.fixture
def seeded_cases(db):
    """The benefit case EAC2190000001, without loading the whole reference data set."""
    from datetime import date

    from contactcenter.models import BenefitCase, FieldOffice, Form, StatusHeadline

    form = Form.objects.create(
        number="I-485", title_en="Adjust status", title_es="Ajuste", fee=1440, edition=date(2024, 1, 1)
    )
    office = FieldOffice.objects.create(
        code="NBC",
        name="National Benefits Center",
        kind="nbc",
        time_zone="America/Chicago",
        hours_en="-",
        hours_es="-",
        latitude=39.0,
        longitude=-94.6,
    )
    status = StatusHeadline.objects.order_by("id").first()
    return BenefitCase.objects.create(
        receipt_number="EAC2190000001",
        form=form,
        office=office,
        received_on=date(2026, 1, 5),
        status=status,
        status_on=date(2026, 3, 1),
        applicant_name="Maria Lopez",
        date_of_birth=date(1990, 5, 4),
        mailing_address_line="1 Main Street",
        mailing_city="Burlington",
        mailing_state="VT",
        mailing_zip="05401",
    )


@pytest.fixture
def analyst(make_staff):
    from contactcenter.roles import Role

    return make_staff(Role.CAO_ANALYST)


@pytest.fixture
def supervisor(make_staff):
    from contactcenter.roles import Role

    return make_staff(Role.CAO_SUPERVISOR)
