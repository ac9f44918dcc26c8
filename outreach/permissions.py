"""Who reaches the outreach API: outreach staff and CROs. None of its payloads carries case PII."""

from contactcenter.permissions import HasRole
from contactcenter.roles import OUTREACH_ROLES

OUTREACH_API_ROLES = OUTREACH_ROLES


class OutreachRole(HasRole):
    message = "Only outreach staff and Community Relations Officers use the outreach API."
