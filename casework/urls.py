from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("", views.console, name="console"),
    path("assign/", views.bulk_assign, name="bulk-assign"),
    path("inquiries/new/", views.inquiry_new, name="inquiry-new"),
    path("inquiries/new/telephone/", views.inquiry_telephone, name="inquiry-telephone"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry"),
    path("inquiries/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment-download"),
    path("inquiries/<int:pk>/<slug:action>/", views.inquiry_action, name="inquiry-action"),
    path("responses/<int:pk>/", views.response_detail, name="response"),
    path("responses/<int:pk>/insert/", views.response_insert, name="response-insert"),
    path("responses/<int:pk>/review/", views.response_review, name="response-review"),
    path("responses/<int:pk>/send-again/", views.response_send_again, name="response-send-again"),
    path("responses/<int:pk>/letter/", views.response_letter, name="response-letter"),
    path("responses/<int:pk>/letter.pdf", views.response_letter_pdf, name="response-letter-pdf"),
    path("letters/batch.pdf", views.letters_batch_pdf, name="letters-batch-pdf"),
    path("cases/", views.case_lookup, name="case-lookup"),
    path("cases/<str:receipt_number>/", views.case_view, name="case"),
    path("trip/", views.trip, name="trip"),
    path("trip/<int:pk>/", views.trip_detail, name="trip-detail"),
    path("trip/<int:pk>/letter/", views.trip_letter, name="trip-letter"),
    path("trip/<int:pk>/letter.pdf", views.trip_letter_pdf, name="trip-letter-pdf"),
    path("reports/", views.reports, name="reports"),
    path("write/", views.write, name="write"),
    path("write/done/", views.write_done, name="write-done"),
    path("status/", views.status_check, name="status"),
]
