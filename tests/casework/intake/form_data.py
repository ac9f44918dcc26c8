"""What people type into the intake forms: the public web form and the staff's mail-scan form."""


def _form(**overrides):
    data = {
        "name": "Ana Ruiz",
        "email": "ana@example.com",
        "role": "applicant",
        "receipt_number": "eac 219 000 0001",
        "subject": "My card never arrived",
        "message": "I was approved in March and the card never came.",
        "website": "",
    }
    data.update(overrides)
    return data


def _staff_form(**overrides):
    """A mailed letter referred by the White House, as a CAO analyst records it."""
    return {
        "channel": "mail_scan",
        "source": "white_house",
        "priority": "1",
        "name": "Executive Clerk",
        "organisation": "The White House",
        "role": "office",
        "address": "1600 Pennsylvania Avenue NW, Washington DC",
        "language": "en",
        "subject": "Referral of a letter from Mr. Diaz",
        "body": "Mr. Diaz (A 098 765 432) writes about his card.",
        **overrides,
    }


LONG_EMAIL = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".gov"  # 308 characters, otherwise valid
