"""Who reaches the outreach API: outreach staff and CROs. None of its payloads carries case PII."""

from contactcenter.staff.permissions import HasRole
from contactcenter.staff.roles import OUTREACH_ROLES

OUTREACH_API_ROLES = OUTREACH_ROLES


class OutreachRole(HasRole):
    message = "Only outreach staff and Community Relations Officers use the outreach API."
