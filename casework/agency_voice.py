"""A case's status as the agency tells it to a correspondent, in English and Spanish.

The case status service's headlines are written for the applicant reading their own case ("Card Was
Mailed To Me", "La tarjeta me fue enviada por correo"): pasted into CAO's reply they would make the
agency speak as the applicant. A reply says instead what USCIS did, in its own voice."""

from __future__ import annotations

from contactcenter.models import Language

# Headline code -> (English, Spanish): the agency speaking of the correspondent's case.
AGENCY_STATUS = {
    "case-was-received": (
        "We received the case and mailed a receipt notice that explains how we will process it.",
        "Recibimos el caso y enviamos por correo un aviso de recibo que explica cómo lo procesaremos.",
    ),
    "fingerprint-fee-was-received": (
        "We received the biometric services fee and will mail a notice with the biometrics appointment.",
        "Recibimos el pago por servicios biométricos y enviaremos por correo un aviso con la cita para la toma de "
        "datos biométricos.",
    ),
    "biometrics-appointment-was-scheduled": (
        "We scheduled the biometrics appointment and mailed a notice with its date, time and place.",
        "Programamos la cita para la toma de datos biométricos y enviamos por correo un aviso con la fecha, la hora "
        "y el lugar.",
    ),
    "case-is-being-actively-reviewed-by-uscis": (
        "We are actively reviewing the case; nothing is outstanding at this time.",
        "Estamos revisando activamente el caso; no hay nada pendiente en este momento.",
    ),
    "request-for-additional-evidence-was-sent": (
        "We mailed a request for additional evidence; please answer it by the date it gives.",
        "Enviamos por correo una solicitud de evidencia adicional; por favor, respóndala antes de la fecha que indica.",
    ),
    "response-to-uscis-request-for-evidence-was-received": (
        "We received the response to our request for evidence and are reviewing the case.",
        "Recibimos la respuesta a nuestra solicitud de evidencia y estamos revisando el caso.",
    ),
    "interview-was-scheduled": (
        "We scheduled an interview and mailed a notice with its date, time and place.",
        "Programamos una entrevista y enviamos por correo un aviso con la fecha, la hora y el lugar.",
    ),
    "case-was-transferred-and-a-new-office-has-jurisdiction": (
        "We transferred the case to another office, which now has jurisdiction over it.",
        "Transferimos el caso a otra oficina, que ahora tiene jurisdicción sobre él.",
    ),
    "case-was-approved": (
        "We approved the case and mailed the approval notice.",
        "Aprobamos el caso y enviamos por correo el aviso de aprobación.",
    ),
    "new-card-is-being-produced": (
        "We approved the case and are producing the new card.",
        "Aprobamos el caso y estamos produciendo la nueva tarjeta.",
    ),
    "card-was-mailed-to-me": (
        "We mailed your card to the address we have on file.",
        "Le enviamos su tarjeta por correo a la dirección que tenemos en nuestros registros.",
    ),
    "card-was-delivered-to-me-by-the-post-office": (
        "The Postal Service delivered the card we mailed to you.",
        "El Servicio Postal entregó la tarjeta que le enviamos.",
    ),
    "case-was-denied": (
        "We denied the case and mailed a decision notice that explains why.",
        "Denegamos el caso y enviamos por correo un aviso de decisión que explica el motivo.",
    ),
    "case-was-rejected-because-it-was-improperly-filed": (
        "We rejected the filing because it was not filed correctly, and returned it with a notice.",
        "Rechazamos la solicitud porque no se presentó correctamente, y la devolvimos con un aviso.",
    ),
}
# A headline added later without its sentence here: still the agency's voice, never the applicant's.
FALLBACK = (
    "Our records show a recent update to the case; we will write to you if we need anything more.",
    "Nuestros registros muestran una actualización reciente del caso; le escribiremos si necesitamos algo más.",
)


def agency_status(*, code: str, language: str) -> str:
    """The sentence a CAO reply uses for a case in the status `code`, in `language`."""
    english, spanish = AGENCY_STATUS.get(code, FALLBACK)
    return spanish if language == Language.SPANISH else english
