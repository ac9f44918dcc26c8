from django.contrib.admin.apps import AdminConfig


class NcscAdminConfig(AdminConfig):
    default_site = "contactcenter.admin_site.NcscAdminSite"
