from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from rest_framework.routers import SimpleRouter

from . import api, views
from .roles import public

router = SimpleRouter()
router.register("interactions", api.InteractionViewSet, basename="interaction")
router.register("topics", api.TopicViewSet, basename="topic")

api_urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("schema/", api.SchemaView.as_view(), name="api-schema"),
    path("docs/", api.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("i18n/js/", public(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("healthz", views.healthz, name="healthz"),
    path("console/", views.agent_console, name="agent-console"),
    path("cases/<str:receipt_number>/", views.case_history, name="case-history"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("api/", include(api_urlpatterns)),
    path("ivr/", include("ivr.urls")),
    path("casework/", include("casework.urls")),
    path("outreach/", include("outreach.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "contactcenter.views.permission_denied"
handler404 = "contactcenter.views.page_not_found"
handler500 = "contactcenter.views.server_error"
