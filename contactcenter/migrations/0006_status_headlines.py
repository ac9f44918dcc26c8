"""The fixed headlines of the case status service, in English and Spanish.

Descriptions follow the wording of USCIS Case Status Online and may use {date}, {form} and
{receipt_number}; the caller formats the date in the caller's language."""

from django.db import migrations

MOVE_EN = "If you move, go to www.uscis.gov/addresschange to give us your new mailing address."
MOVE_ES = "Si se muda, visite www.uscis.gov/addresschange para darnos su nueva dirección postal."

# (code, English headline, Spanish headline, English description, Spanish description, terminal)
HEADLINES = [
    (
        "case-was-received",
        "Case Was Received",
        "Se recibió el caso",
        "On {date}, we received your Form {form}, Receipt Number {receipt_number}, and sent you the receipt notice "
        "that describes how we will process your case. Please follow the instructions in the notice. " + MOVE_EN,
        "El {date}, recibimos su Formulario {form}, Número de Recibo {receipt_number}, y le enviamos el aviso de "
        "recibo que describe cómo procesaremos su caso. Por favor, siga las instrucciones del aviso. " + MOVE_ES,
        False,
    ),
    (
        "fingerprint-fee-was-received",
        "Fingerprint Fee Was Received",
        "Se recibió el pago por la toma de huellas dactilares",
        "On {date}, we received your biometric services fee for your Form {form}, Receipt Number {receipt_number}. "
        "We will mail you a notice that schedules your biometrics appointment at a USCIS Application Support "
        "Center. " + MOVE_EN,
        "El {date}, recibimos el pago por servicios biométricos de su Formulario {form}, Número de Recibo "
        "{receipt_number}. Le enviaremos por correo un aviso con la cita para la toma de sus datos biométricos en "
        "un Centro de Apoyo de Solicitudes de USCIS. " + MOVE_ES,
        False,
    ),
    (
        "biometrics-appointment-was-scheduled",
        "Biometrics Appointment Was Scheduled",
        "Se programó la cita para la toma de datos biométricos",
        "On {date}, we scheduled your biometrics appointment for your Form {form}, Receipt Number "
        "{receipt_number}, and mailed you an appointment notice with the date, time and location of your "
        "appointment at a USCIS Application Support Center. Please bring the notice and a valid photo "
        "identification to your appointment. " + MOVE_EN,
        "El {date}, programamos su cita para la toma de datos biométricos de su Formulario {form}, Número de "
        "Recibo {receipt_number}, y le enviamos por correo un aviso de cita con la fecha, la hora y el lugar de su "
        "cita en un Centro de Apoyo de Solicitudes de USCIS. Por favor, lleve el aviso y una identificación "
        "válida con fotografía a su cita. " + MOVE_ES,
        False,
    ),
    (
        "case-is-being-actively-reviewed-by-uscis",
        "Case Is Being Actively Reviewed By USCIS",
        "USCIS está revisando activamente el caso",
        "As of {date}, we are actively reviewing your Form {form}, Receipt Number {receipt_number}. Our records "
        "show nothing is outstanding at this time. We will let you know if we need anything from you. " + MOVE_EN,
        "Desde el {date}, estamos revisando activamente su Formulario {form}, Número de Recibo {receipt_number}. "
        "Nuestros registros indican que no hay nada pendiente en este momento. Le avisaremos si necesitamos algo "
        "de usted. " + MOVE_ES,
        False,
    ),
    (
        "request-for-additional-evidence-was-sent",
        "Request for Additional Evidence Was Sent",
        "Se envió una solicitud de evidencia adicional",
        "On {date}, we sent a request for additional evidence for your Form {form}, Receipt Number "
        "{receipt_number}. The request explains what we need and the deadline to respond. We will make a decision "
        "on your case after we receive your response or after the deadline passes. Please follow the instructions "
        "in the request.",
        "El {date}, enviamos una solicitud de evidencia adicional para su Formulario {form}, Número de Recibo "
        "{receipt_number}. La solicitud explica lo que necesitamos y la fecha límite para responder. Tomaremos una "
        "decisión sobre su caso después de recibir su respuesta o después de que venza el plazo. Por favor, siga "
        "las instrucciones de la solicitud.",
        False,
    ),
    (
        "response-to-uscis-request-for-evidence-was-received",
        "Response To USCIS' Request For Evidence Was Received",
        "Se recibió la respuesta a la solicitud de evidencia de USCIS",
        "On {date}, we received your response to our Request for Evidence for your Form {form}, Receipt Number "
        "{receipt_number}. USCIS has begun working on your case again. We will send you a decision or notify you "
        "if we need something from you. " + MOVE_EN,
        "El {date}, recibimos su respuesta a nuestra Solicitud de Evidencia para su Formulario {form}, Número de "
        "Recibo {receipt_number}. USCIS reanudó el trámite de su caso. Le enviaremos una decisión o le "
        "notificaremos si necesitamos algo de usted. " + MOVE_ES,
        False,
    ),
    (
        "interview-was-scheduled",
        "Interview Was Scheduled",
        "Se programó una entrevista",
        "On {date}, we scheduled an interview for your Form {form}, Receipt Number {receipt_number}, and mailed "
        "you an interview notice with the date, time and place of your interview. Please follow the instructions "
        "in the notice and bring the documents it lists. " + MOVE_EN,
        "El {date}, programamos una entrevista para su Formulario {form}, Número de Recibo {receipt_number}, y le "
        "enviamos por correo un aviso de entrevista con la fecha, la hora y el lugar de su entrevista. Por favor, "
        "siga las instrucciones del aviso y traiga los documentos que se indican en él. " + MOVE_ES,
        False,
    ),
    (
        "case-was-transferred-and-a-new-office-has-jurisdiction",
        "Case Was Transferred And A New Office Has Jurisdiction",
        "El caso fue transferido y una nueva oficina tiene jurisdicción",
        "On {date}, we transferred your Form {form}, Receipt Number {receipt_number}, to another USCIS office, "
        "which now has jurisdiction over your case. We mailed you a notice that explains where your case is and "
        "how to contact that office. Please follow the instructions in the notice. " + MOVE_EN,
        "El {date}, transferimos su Formulario {form}, Número de Recibo {receipt_number}, a otra oficina de USCIS, "
        "que ahora tiene jurisdicción sobre su caso. Le enviamos por correo un aviso que explica dónde se "
        "encuentra su caso y cómo comunicarse con esa oficina. Por favor, siga las instrucciones del aviso. " + MOVE_ES,
        False,
    ),
    (
        "case-was-approved",
        "Case Was Approved",
        "El caso fue aprobado",
        "On {date}, we approved your Form {form}, Receipt Number {receipt_number}. We mailed you an approval "
        "notice. Please follow the instructions in the notice. " + MOVE_EN,
        "El {date}, aprobamos su Formulario {form}, Número de Recibo {receipt_number}. Le enviamos por correo un "
        "aviso de aprobación. Por favor, siga las instrucciones del aviso. " + MOVE_ES,
        True,
    ),
    (
        "new-card-is-being-produced",
        "New Card Is Being Produced",
        "Se está produciendo una nueva tarjeta",
        "On {date}, we ordered your new card for your Form {form}, Receipt Number {receipt_number}, and will mail "
        "it to the address you gave us. " + MOVE_EN,
        "El {date}, ordenamos la producción de su nueva tarjeta para su Formulario {form}, Número de Recibo "
        "{receipt_number}, y se la enviaremos por correo a la dirección que nos proporcionó. " + MOVE_ES,
        False,
    ),
    (
        "card-was-mailed-to-me",
        "Card Was Mailed To Me",
        "La tarjeta me fue enviada por correo",
        "On {date}, we mailed your new card for your Form {form}, Receipt Number {receipt_number}, to the address "
        "you gave us. The U.S. Postal Service (USPS) should deliver it within 30 days. If you do not receive your "
        "card within 30 days, please contact the USCIS Contact Center at www.uscis.gov/contactcenter.",
        "El {date}, le enviamos por correo su nueva tarjeta para su Formulario {form}, Número de Recibo "
        "{receipt_number}, a la dirección que nos proporcionó. El Servicio Postal de los Estados Unidos (USPS) "
        "debe entregarla dentro de 30 días. Si no recibe su tarjeta dentro de 30 días, comuníquese con el Centro "
        "de Contacto de USCIS en www.uscis.gov/contactcenter.",
        False,
    ),
    (
        "card-was-delivered-to-me-by-the-post-office",
        "Card Was Delivered To Me By The Post Office",
        "La tarjeta me fue entregada por el Servicio Postal",
        "On {date}, the Post Office delivered your new card for your Form {form}, Receipt Number "
        "{receipt_number}, to the address you gave us. If you did not receive your card, please contact the USCIS "
        "Contact Center at www.uscis.gov/contactcenter.",
        "El {date}, el Servicio Postal de los Estados Unidos (USPS) entregó su nueva tarjeta para su Formulario "
        "{form}, Número de Recibo {receipt_number}, en la dirección que nos proporcionó. Si no recibió su "
        "tarjeta, comuníquese con el Centro de Contacto de USCIS en www.uscis.gov/contactcenter.",
        True,
    ),
    (
        "case-was-denied",
        "Case Was Denied",
        "El caso fue denegado",
        "On {date}, we denied your Form {form}, Receipt Number {receipt_number}. We mailed you a decision notice "
        "that explains why we denied your case and any options you may have. Please follow the instructions in "
        "the notice. " + MOVE_EN,
        "El {date}, denegamos su Formulario {form}, Número de Recibo {receipt_number}. Le enviamos por correo un "
        "aviso de decisión que explica por qué denegamos su caso y las opciones que pueda tener. Por favor, siga "
        "las instrucciones del aviso. " + MOVE_ES,
        True,
    ),
    (
        "case-was-rejected-because-it-was-improperly-filed",
        "Case Was Rejected Because It Was Improperly Filed",
        "El caso fue rechazado porque no se presentó correctamente",
        "On {date}, we rejected your Form {form}, Receipt Number {receipt_number}, because it was not filed "
        "properly, and returned it to you with a notice that explains why. You may correct the problem and file "
        "again. Please follow the instructions in the notice.",
        "El {date}, rechazamos su Formulario {form}, Número de Recibo {receipt_number}, porque no se presentó "
        "correctamente, y se lo devolvimos con un aviso que explica el motivo. Puede corregir el problema y "
        "volver a presentarlo. Por favor, siga las instrucciones del aviso.",
        True,
    ),
]


def forwards(apps, schema_editor):
    StatusHeadline = apps.get_model("contactcenter", "StatusHeadline")
    for code, headline_en, headline_es, description_en, description_es, terminal in HEADLINES:
        StatusHeadline.objects.update_or_create(
            code=code,
            defaults={
                "headline_en": headline_en,
                "headline_es": headline_es,
                "description_en": description_en,
                "description_es": description_es,
                "terminal": terminal,
            },
        )


def backwards(apps, schema_editor):
    StatusHeadline = apps.get_model("contactcenter", "StatusHeadline")
    StatusHeadline.objects.filter(code__in=[row[0] for row in HEADLINES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contactcenter", "0005_reference_constraints"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
