from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("inquiries", api.InquiryViewSet, basename="casework-inquiry")
router.register("responses", api.ResponseViewSet, basename="casework-response")

urlpatterns = router.urls
