from django import template

from outreach.mailing_forms import ContactInterestsForm

register = template.Library()


@register.simple_tag
def mailing_interests_form(contact) -> ContactInterestsForm:
    """The interests form of a contact's page (outreach/mailings/_contact_mail.html)."""
    return ContactInterestsForm(initial={"interests": contact.interests}, prefix=None)
