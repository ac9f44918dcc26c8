from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("organisations", api.OrganisationViewSet, basename="outreach-organisation")
router.register("contacts", api.ContactViewSet, basename="outreach-contact")
router.register("engagements", api.EngagementViewSet, basename="outreach-engagement")
router.register("feedback", api.FeedbackViewSet, basename="outreach-feedback")
router.register("referrals", api.ReferralViewSet, basename="outreach-referral")

urlpatterns = [
    path("dashboard/", api.DashboardView.as_view(), name="outreach-api-dashboard"),
    path("", include(router.urls)),
]
