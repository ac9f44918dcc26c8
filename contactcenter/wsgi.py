import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.local")
# Read by the settings: web requests get the short statement timeout.
os.environ.setdefault("NCSC_PROCESS_ROLE", "web")
application = get_wsgi_application()
