"""The places an engagement is filed under: the agency's field regions and their districts, and the
states and territories an in-person event can be in. Lists, not free text, so the console's
district filter and the dashboards count one "Chicago", never "chicago " beside it.

Districts are named by the city of their district office, as CRO profiles and partner records
already name them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# region -> its districts (values stored as written here)
REGIONS: dict[str, tuple[str, ...]] = {
    "Northeast": ("Boston", "Buffalo", "Newark", "New York City", "Philadelphia", "Washington"),
    "Southeast": ("Atlanta", "Miami", "Orlando", "San Juan", "Tampa"),
    "Central": ("Chicago", "Dallas", "Denver", "Detroit", "Houston", "Kansas City", "New Orleans", "St. Paul"),
    "West": ("Honolulu", "Los Angeles", "Phoenix", "Portland", "San Diego", "San Francisco", "Seattle", "Tucson"),
}
REGION_LABELS = {
    "Northeast": _("Northeast Region"),
    "Southeast": _("Southeast Region"),
    "Central": _("Central Region"),
    "West": _("Western Region"),
}
DISTRICT_REGION = {district: region for region, districts in REGIONS.items() for district in districts}

REGION_CHOICES = [("", _("Headquarters (national)")), *((code, REGION_LABELS[code]) for code in REGIONS)]
# Grouped by region for the picker (<optgroup>).
DISTRICT_CHOICES = [
    ("", _("No district (regional or national)")),
    *((REGION_LABELS[region], [(d, d) for d in districts]) for region, districts in REGIONS.items()),
]

# USPS codes of the states, DC and the territories, with their names (which are the same in Spanish
# save for a few, kept in English as the agency's Spanish pages do).
US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
    ("AS", "American Samoa"), ("GU", "Guam"), ("MP", "Northern Mariana Islands"), ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"),
]  # fmt: skip
US_STATE_NAMES = dict(US_STATES)
