from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("", views.console, name="console"),
    path("trip/", views.trip, name="trip"),
]
