"""Routes of outreach mailings, added to the outreach namespace by outreach/urls.py."""

from django.urls import path

from . import mailing_views

urlpatterns = [
    # Public: the unsubscribe link of every mailing (English and Spanish, one-click POST).
    path("unsubscribe/<str:token>/", mailing_views.unsubscribe, name="mailing-unsubscribe"),
    # Staff console.
    path("mailings/", mailing_views.mailings, name="mailings"),
    path("mailings/segments/", mailing_views.segments, name="mailing-segments"),
    path("mailings/segments/<int:segment_id>/", mailing_views.segment_detail, name="mailing-segment-detail"),
    path("mailings/<int:mailing_id>/", mailing_views.mailing_detail, name="mailing-detail"),
    path("mailings/<int:mailing_id>/preview/<str:language>/", mailing_views.mailing_preview, name="mailing-preview"),
    path("mailings/<int:mailing_id>/test/", mailing_views.mailing_test_send, name="mailing-test-send"),
    path("mailings/<int:mailing_id>/send/", mailing_views.mailing_send, name="mailing-send"),
    path("contacts/<int:contact_id>/interests/", mailing_views.contact_interests, name="contact-interests"),
]
