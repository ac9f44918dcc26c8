import factory

from casework.attachments import AttachmentIn
from contactcenter.audit.context import AuditContext

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_inquiry(**overrides):
    """An inquiry through the one intake service, as every channel makes them."""
    from casework import services

    values = {
        "context": AuditContext.system(),
        "channel": "email",
        "subject": "Delay on EAC2190000001",
        "body": "The applicant has waited a long time for case EAC2190000001. Please help.",
        "correspondent_name": "Ombudsman Case Assistance",
        "correspondent_email": "caseassistance@cisomb.dhs.gov",
        "correspondent_organisation": "CIS Ombudsman",
        # as if the receiving server had authenticated the sender's domain
        "sender_verified": True,
    }
    values.update(overrides)
    return services.inquiry_create(**values)


class AttachmentFactory(factory.Factory):
    class Meta:
        model = AttachmentIn

    filename = factory.Sequence(lambda n: f"evidence{n}.pdf")
    content = PDF
