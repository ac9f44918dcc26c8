"""Every sentence the IVR speaks, in English and Spanish. A test checks both exist for each."""

from __future__ import annotations

from string import Formatter

from django.utils.translation import gettext as _

from contactcenter.telephony.voices import VOICES as VOICE_NAMES

from .spoken import Spoken, fill

VOICES = {language: {"voice": voice, "language": tag} for language, (voice, tag) in VOICE_NAMES.items()}

PROMPTS: dict[str, dict[str, str]] = {
    "welcome": {
        "en": "Welcome to U.S. Citizenship and Immigration Services.",
        "es": "Bienvenido al Servicio de Ciudadanía e Inmigración de los Estados Unidos.",
    },
    "choose_language": {
        "en": "For English, press 1.",
        "es": "Para español, oprima 2.",
    },
    # Said at the start, before anything is asked: relay operators voice the call for TTY users.
    "tty_offer": {
        "en": "Relay or TTY, press 7.",
        "es": "Servicio de relevo o TTY, oprima 7.",
    },
    "recording_notice": {
        "en": "This call may be recorded.",
        "es": "Esta llamada puede ser grabada.",
    },
    # Said once per call, before the first personal detail is asked (Privacy Act, 5 U.S.C. 552a(e)(3)).
    "privacy_notice": {
        "en": "Privacy notice: we use what you tell us only to help you. Giving it is voluntary.",
        "es": "Aviso de privacidad: usamos sus datos solo para ayudarle. Darlos es voluntario.",
    },
    # Five services in order of how often callers ask for them (the demo's call mix; the contact volume
    # by topic report shows the real one); 0 and 9 are the same in every menu.
    "main_menu": {
        "en": (
            "Main menu. For case status, press 1. Forms and fees, 2. Processing times and priority dates, 3. "
            "Field offices, 4. Civil surgeons, 5. A representative, 0."
        ),
        "es": (
            "Menú principal. Para el estado de su caso, oprima 1. Formularios y tarifas, 2. Tiempos y fechas de "
            "prioridad, 3. Oficinas, 4. Médicos civiles, 5. Un representante, 0."
        ),
    },
    "tty_to_agent": {
        "en": "Please hold for a representative who takes relay and TTY calls.",
        "es": "Por favor, espere a un representante que atiende llamadas de relevo y TTY.",
    },
    "not_understood": {
        "en": "Sorry, I did not understand that.",
        "es": "Lo siento, no entendí.",
    },
    "no_input": {
        "en": "I did not hear a response.",
        "es": "No escuché una respuesta.",
    },
    "too_many_tries": {
        "en": "We are having trouble understanding your selection.",
        "es": "Tenemos dificultades para entender su selección.",
    },
    "goodbye": {
        "en": "Thank you for calling. You can also find this information at uscis.gov. Goodbye.",
        "es": "Gracias por llamar. También puede encontrar esta información en uscis.gov/es. Adiós.",
    },
    "technical_problem": {
        "en": "We are sorry, we are having a technical problem.",
        "es": "Lo sentimos, tenemos un problema técnico.",
    },
    "hold_while_we_retry": {
        "en": "Please stay on the line. We will try again in a moment.",
        "es": "Por favor, permanezca en la línea. Lo intentaremos de nuevo en un momento.",
    },
    "on_hold": {
        "en": "Please stay on the line. Your representative will be right back with you.",
        "es": "Por favor, permanezca en la línea. Su representante regresará con usted en un momento.",
    },
    # --- case status ---
    "ask_receipt": {
        "en": "Say or enter your receipt number, then press pound.",
        "es": "Diga o marque su número de recibo y oprima numeral.",
    },
    # Only on a retry: most callers never need it.
    "receipt_keypad_help": {
        "en": (
            "It is three letters and ten digits, on your receipt notice. To key the letters, press their keys, "
            "such as 3 2 2 for E A C, then the digits and pound."
        ),
        "es": (
            "Son tres letras y diez dígitos, en su aviso de recibo. Para marcar las letras, oprima sus teclas, "
            "como 3 2 2 para E A C, luego los dígitos y numeral."
        ),
    },
    "receipt_invalid": {
        "en": "That is not a receipt number.",
        "es": "Ese no es un número de recibo.",
    },
    "confirm_receipt": {
        "en": "I have {spelled}. Right? Press 1 for yes, 2 for no.",
        "es": "Tengo {spelled}. ¿Es correcto? Sí, oprima 1; no, 2.",
    },
    "receipt_not_found": {
        "en": (
            "We could not find a case with receipt number {spelled}. Please check the number on your receipt "
            "notice, Form I-797C."
        ),
        "es": (
            "No encontramos un caso con el número de recibo {spelled}. Por favor, verifique el número en su "
            "aviso de recibo, el Formulario I-797C."
        ),
    },
    "case_status": {
        "en": "Form {form}: {headline}. {description}",
        "es": "Formulario {form}: {headline}. {description}",
    },
    "case_next": {
        "en": (
            "To hear this again, press pound. Another receipt number, 1. The processing time for this case, 2. "
            "The status of a service request on this case, 3. A text message when this case's status changes, 4. "
            "A representative, 0. The main menu, 9."
        ),
        "es": (
            "Para escuchar esto otra vez, oprima numeral. Otro número de recibo, 1. El tiempo de procesamiento "
            "de este caso, 2. El estado de una solicitud de servicio de este caso, 3. Un mensaje de texto cuando "
            "cambie el estado de este caso, 4. Un representante, 0. El menú principal, 9."
        ),
    },
    "status_updates_on": {
        "en": (
            "Done. When this case's status changes, we will send a text message in English to the phone you are "
            "calling from. To stop them, reply STOP."
        ),
        "es": (
            "Listo. Cuando cambie el estado de este caso, le enviaremos un mensaje de texto en español al teléfono "
            "desde el que llama. Para no recibir más, responda PARAR."
        ),
    },
    # --- a service request's status (from the case-status menu) ---
    "ask_service_request": {
        "en": (
            "Enter the number of your service request, the digits after the letters S R, then press pound. "
            "You can leave out the zeros at the start."
        ),
        "es": (
            "Marque el número de su solicitud de servicio, los dígitos después de las letras S R, y oprima "
            "numeral. Puede omitir los ceros del principio."
        ),
    },
    "service_request_invalid": {
        "en": "That is not a service request number.",
        "es": "Ese no es un número de solicitud de servicio.",
    },
    "service_request_not_found": {
        "en": "We could not find service request {spelled} on this case.",
        "es": "No encontramos la solicitud de servicio {spelled} en este caso.",
    },
    "service_request_status": {
        "en": "Service request {spelled}, {kind}: {status}. {due}",
        "es": "Solicitud de servicio {spelled}, {kind}: {status}. {due}",
    },
    "service_request_due": {
        "en": "We aim to finish it by {date}.",
        "es": "Intentamos terminarla a más tardar el {date}.",
    },
    "service_request_done": {
        "en": "It was completed on {date}. We sent the answer to the contact you gave us.",
        "es": "Se completó el {date}. Enviamos la respuesta al contacto que nos dio.",
    },
    "lookups_paused": {
        "en": (
            "We cannot give case status information by phone at this time. A representative can help you: "
            "to speak to a representative, press 0. You can also check your case online at uscis.gov."
        ),
        "es": (
            "En este momento no podemos dar información sobre el estado de casos por teléfono. Un representante "
            "puede ayudarle: para hablar con un representante, oprima 0. También puede verificar su caso en "
            "línea en uscis.gov/es."
        ),
    },
    "rate_limited": {
        "en": (
            "For your security, we cannot give more case status information on this call. "
            "You can check your case online at uscis.gov."
        ),
        "es": (
            "Por su seguridad, no podemos dar más información sobre el estado de casos en esta llamada. "
            "Puede verificar su caso en línea en uscis.gov/es."
        ),
    },
}

LANGUAGES = ("en", "es")


# The prompts supervisors may reword without a deploy (PromptOverride): what callers hear while they
# wait for a representative. Menus stay in the code: their keys are what the flow acts on.
OVERRIDABLE = (
    "to_agent",
    "tty_to_agent",
    "on_hold",
    "queue_position",
    "queue_callback_offer",
    "queue_callback_booked",
)
_FORMATTER = Formatter()


def _text(key: str, language: str) -> str:
    language = language if language in LANGUAGES else "en"
    if key in OVERRIDABLE:
        from .selectors import prompt_overrides  # the selectors read the models, which import this module

        override = prompt_overrides().get(key)
        if override is not None:
            return override[0] if language == "en" else override[1]
    return PROMPTS[key][language]


def placeholders(text: str) -> set[str]:
    """The {names} a prompt fills; ValueError when its braces do not pair."""
    return {name for _literal, name, _spec, _conversion in _FORMATTER.parse(text) if name is not None}


def override_problems(key: str, text_en: str, text_es: str) -> dict[str, str]:
    """Why a rewording may not replace the default (by field), or nothing."""
    if key not in OVERRIDABLE:
        return {"key": _("This prompt cannot be changed here.")}
    problems = {}
    for language, text in (("en", text_en), ("es", text_es)):
        field = f"text_{language}"
        if not (text or "").strip():
            problems[field] = _("Enter the text callers hear.")
            continue
        expected = placeholders(PROMPTS[key][language])
        try:
            found = placeholders(text)
        except ValueError:
            problems[field] = _("Braces { } only surround a placeholder, such as {position}.")
            continue
        if found != expected:
            problems[field] = _("Keep exactly the placeholders of the default text: %(names)s.") % {
                "names": ", ".join(f"{{{name}}}" for name in sorted(expected)) or _("none")
            }
    return problems


def prompt(key: str, language: str, **values: object) -> str:
    """A prompt as plain text, for a sentence without marks (what the queue and the apologies say)."""
    text = _text(key, language)
    return text.format(**values) if values else text


def sentence(key: str, language: str, **values: object) -> Spoken:
    """A prompt as the parts the IVR says: a value may be a mark or a sentence (a date, a receipt
    number read back in groups), kept as such for the voice."""
    text = _text(key, language)
    return fill(text, **values) if values else (text,)


PROMPTS.update(
    {
        # --- forms ---
        "ask_form": {
            "en": "Please enter or say the number of the form. For Form I-485, press 4 8 5 and then pound.",
            "es": "Por favor, marque o diga el número del formulario. Para el Formulario I-485, oprima 4 8 5 y luego "
            "la tecla de numeral.",
        },
        "form_not_found": {
            "en": "We could not find that form.",
            "es": "No encontramos ese formulario.",
        },
        "form_info": {
            "en": "Form {number}, {title}. The filing fee is {fee}.",
            "es": "Formulario {number}, {title}. La tarifa de presentación es de {fee}.",
        },
        "form_menu": {
            "en": (
                "To hear this again, press pound. A link to this form by text message, 1, or to another number, 4. "
                "The form by mail to the address on file for your case, 2. Another form, 3. The main menu, 9."
            ),
            "es": (
                "Para escuchar esto otra vez, oprima numeral. Un enlace a este formulario por mensaje de texto, 1, "
                "o a otro número, 4. El formulario por correo a la dirección que consta en su caso, 2. Otro "
                "formulario, 3. El menú principal, 9."
            ),
        },
        "form_texted": {
            "en": "We will send a text message with a link to Form {number} to the phone you are calling from.",
            "es": "Le enviaremos un mensaje de texto con un enlace al Formulario {number} al teléfono desde el que "
            "llama.",
        },
        "form_mailed": {
            "en": "We will mail Form {number} to the address on file for your case.",
            "es": "Le enviaremos el Formulario {number} por correo a la dirección que consta en su caso.",
        },
        "form_no_text": {
            "en": "We cannot send a text message to the number you are calling from.",
            "es": "No podemos enviar un mensaje de texto al número desde el que llama.",
        },
        "mail_needs_receipt": {
            "en": "To mail the form, we need the receipt number of your case.",
            "es": "Para enviarle el formulario por correo, necesitamos el número de recibo de su caso.",
        },
        # --- ZIP searches ---
        "ask_zip_office": {
            "en": "To find the nearest field office, enter or say your 5-digit ZIP code.",
            "es": "Para encontrar la oficina local más cercana, marque o diga su código postal de 5 dígitos.",
        },
        "ask_zip_surgeon": {
            "en": "To find civil surgeons near you, enter or say your 5-digit ZIP code.",
            "es": "Para encontrar médicos civiles cerca de usted, marque o diga su código postal de 5 dígitos.",
        },
        "zip_invalid": {
            "en": "That is not a ZIP code we know.",
            "es": "Ese no es un código postal que conozcamos.",
        },
        "nearest_none": {
            "en": "We did not find one near that ZIP code.",
            "es": "No encontramos ninguno cerca de ese código postal.",
        },
        "office_entry": {
            "en": "{name}, {address}, about {miles} miles away. Hours: {hours}.",
            "es": "{name}, {address}, a unos {miles} millas. Horario: {hours}.",
        },
        "office_closure": {
            "en": "Please note: this office will be closed from {start} to {end}, {reason}.",
            "es": "Tenga en cuenta: esta oficina estará cerrada del {start} al {end}, {reason}.",
        },
        "surgeon_entry": {
            "en": "{name}, {practice}, {address}, about {miles} miles away. Phone: {phone}.",
            "es": "{name}, {practice}, {address}, a unos {miles} millas. Teléfono: {phone}.",
        },
        "results_menu": {
            "en": (
                "To hear this again, press 1. To receive these details by text message, press 2, or at another "
                "number, press 4. To try another ZIP code, press 3. For the main menu, press 9."
            ),
            "es": (
                "Para escuchar esto otra vez, oprima 1. Para recibir estos datos por mensaje de texto, oprima 2, o "
                "en otro número, oprima 4. Para otro código postal, oprima 3. Para el menú principal, oprima 9."
            ),
        },
        "results_texted_to": {
            "en": "We sent the details to {spelled}.",
            "es": "Enviamos los datos al {spelled}.",
        },
        "form_texted_to": {
            "en": "We will text a link to Form {number} to {spelled}.",
            "es": "Le enviaremos un enlace al Formulario {number} por mensaje de texto al {spelled}.",
        },
        "ask_text_number": {
            "en": "Please say or enter the 10-digit U.S. mobile number to text, starting with the area code, then "
            "press pound.",
            "es": "Por favor, diga o marque el número de celular de los Estados Unidos de 10 dígitos al que "
            "enviamos el mensaje, empezando por el código de área, y luego oprima la tecla de numeral.",
        },
        "confirm_text_number": {
            "en": "We will text {spelled}. If this is correct, press 1. To enter it again, press 2.",
            "es": "Enviaremos el mensaje al {spelled}. Si es correcto, oprima 1. Para ingresarlo otra vez, oprima 2.",
        },
        "text_number_gave_up": {
            "en": "We could not take a number to text.",
            "es": "No pudimos tomar un número para enviar el mensaje.",
        },
        "results_texted": {
            "en": "We sent the details to the phone you are calling from.",
            "es": "Enviamos los datos al teléfono desde el que llama.",
        },
        # --- processing times ---
        "ptime_intro": {
            "en": "Processing times. For the time for a form, press 1. To check whether your case is outside "
            "normal processing time, 2. Priority dates and the visa bulletin, 3.",
            "es": "Tiempos de procesamiento. Para el tiempo de un formulario, oprima 1. Para saber si su caso está "
            "fuera del tiempo normal de procesamiento, 2. Fechas de prioridad y el boletín de visas, 3.",
        },
        "ask_category": {
            "en": "Choose the category. {options}",
            "es": "Elija la categoría. {options}",
        },
        # A category's name is a phrase ("Based on a pending asylum application"): said first, then its key.
        "category_option": {"en": "{category}: press {digit}.", "es": "{category}: oprima {digit}."},
        "ask_zip_ptime": {
            "en": "Processing times for this form depend on the office. Enter your 5-digit ZIP code.",
            "es": "Los tiempos de procesamiento de este formulario dependen de la oficina. Marque su código postal "
            "de 5 dígitos.",
        },
        "ptime_none": {
            "en": "We do not have a published processing time for that form and category.",
            "es": "No tenemos un tiempo de procesamiento publicado para ese formulario y categoría.",
        },
        "ptime_info": {
            "en": (
                "For Form {form}, {category}, at the {office}, 80 percent of cases are completed within {months}. "
                "If your case was received before {inquiry_date}, you may ask about it."
            ),
            "es": (
                "Para el Formulario {form}, {category}, en {office}, el 80 por ciento de los casos se completa en "
                "{months}. Si su caso se recibió antes del {inquiry_date}, puede hacer una consulta."
            ),
        },
        "ptime_menu": {
            "en": "To hear this again, press pound. To check a specific case, 1. Another form, 2. The main menu, 9.",
            "es": "Para escuchar esto otra vez, oprima numeral. Para verificar un caso específico, 1. Otro "
            "formulario, 2. El menú principal, 9.",
        },
        "case_outside": {
            "en": (
                "Your case was received on {received}, before {inquiry_date}. It is outside normal processing time, "
                "and a representative can open a service request for it."
            ),
            "es": (
                "Su caso se recibió el {received}, antes del {inquiry_date}. Está fuera del tiempo normal de "
                "procesamiento y un representante puede abrir una solicitud de servicio."
            ),
        },
        "case_within": {
            "en": (
                "Your case was received on {received}. It is within normal processing time. You may ask about it "
                "if it was received before {inquiry_date}."
            ),
            "es": (
                "Su caso se recibió el {received}. Está dentro del tiempo normal de procesamiento. Puede hacer una "
                "consulta si se recibió antes del {inquiry_date}."
            ),
        },
        "case_decided": {
            "en": "Your case has a final decision, so processing times no longer apply to it.",
            "es": "Su caso tiene una decisión final, por lo que los tiempos de procesamiento ya no le aplican.",
        },
        "outside_menu": {
            "en": "To hear this again, press pound. A representative about a service request, 0. The main menu, 9.",
            "es": "Para escuchar esto otra vez, oprima numeral. Un representante sobre una solicitud de servicio, "
            "0. El menú principal, 9.",
        },
        # --- priority dates ---
        "ask_pd_group": {
            "en": "Priority dates. For family-sponsored categories, press 1. For employment-based categories, press 2.",
            "es": "Fechas de prioridad. Para categorías de familiares, oprima 1. Para categorías de empleo, oprima 2.",
        },
        "ask_pd_family": {
            "en": "For F1, press 1. For F2A, press 2. For F2B, press 3. For F3, press 4. For F4, press 5.",
            "es": "Para F1, oprima 1. Para F2A, oprima 2. Para F2B, oprima 3. Para F3, oprima 4. Para F4, oprima 5.",
        },
        "ask_pd_employment": {
            "en": "For EB-1, press 1. For EB-2, press 2. For EB-3, press 3. For EB-4, press 4. For EB-5, press 5.",
            "es": "Para EB-1, oprima 1. Para EB-2, oprima 2. Para EB-3, oprima 3. Para EB-4, oprima 4. Para EB-5, "
            "oprima 5.",
        },
        "ask_chargeability": {
            "en": (
                "Choose the country of chargeability. For all chargeability areas, press 1. For China, press 2. "
                "For India, press 3. For Mexico, press 4. For the Philippines, press 5."
            ),
            "es": (
                "Elija el país de cargabilidad. Para todas las áreas, oprima 1. Para China, oprima 2. Para India, "
                "oprima 3. Para México, oprima 4. Para Filipinas, oprima 5."
            ),
        },
        "pd_info": {
            "en": "In the {month} visa bulletin, for {category}, {area}: the final action date is {final}, and the "
            "date for filing is {filing}.",
            "es": "En el boletín de visas de {month}, para {category}, {area}: la fecha de acción final es {final}, "
            "y la fecha para presentar es {filing}.",
        },
        "pd_current": {"en": "current", "es": "vigente"},
        "pd_unavailable": {"en": "unavailable", "es": "no disponible"},
        "pd_unpublished": {"en": "not published", "es": "no publicada"},
        "pd_menu": {
            "en": "To hear this again, press pound. Another category, 1. The main menu, 9.",
            "es": "Para escuchar esto otra vez, oprima numeral. Otra categoría, 1. El menú principal, 9.",
        },
        # --- representatives ---
        "to_agent": {
            "en": "Please hold while we connect you to a representative. This call may be recorded.",
            "es": "Por favor, espere mientras lo comunicamos con un representante. Esta llamada puede ser grabada.",
        },
        "after_hours": {
            "en": (
                "Representatives are available {days}, {opens} to {closes} {zone} time, except federal "
                "holidays. The next opening is {next_open}"
            ),
            "es": (
                "Los representantes están disponibles {days}, de {opens} a {closes}, hora {zone}, excepto "
                "los días feriados federales. El próximo horario de atención es el {next_open}"
            ),
        },
        "weekdays": {"en": "Monday through Friday", "es": "de lunes a viernes"},
        "every_day": {"en": "every day", "es": "todos los días"},
        "closed_holiday": {
            "en": "Today is a federal holiday, {holiday}, and representatives are not available.",
            "es": "Hoy es día feriado federal, {holiday}, y los representantes no están disponibles.",
        },
        "closed_today": {
            "en": "Representatives are not available at this time: {reason}.",
            "es": "Los representantes no están disponibles en este momento: {reason}.",
        },
        # An emergency announcement (a supervisor's text), said before anything else in the call.
        "announcement": {"en": "Important notice: {text}", "es": "Aviso importante: {text}"},
        "after_hours_menu": {
            "en": "To have a representative call you back during business hours, press 1. To be called back at "
            "another number, press 2. For the main menu, press 9.",
            "es": "Para que un representante le devuelva la llamada en horario de atención, oprima 1. Para que le "
            "llamen a otro número, oprima 2. Para el menú principal, oprima 9.",
        },
        "callback_booked": {
            "en": "We will call you back at this number during business hours.",
            "es": "Le devolveremos la llamada a este número en horario de atención.",
        },
        "queue_position": {
            "en": "You are number {position} in line. The estimated wait is about {wait}.",
            "es": "Usted es el número {position} en la fila. El tiempo de espera aproximado es de {wait}.",
        },
        "queue_callback_offer": {
            "en": "To hang up and get a call back without losing your place, press 1.",
            "es": "Para colgar y recibir una llamada sin perder su lugar, oprima 1.",
        },
        "queue_callback_booked": {
            "en": "You kept your place in line. We will call you back at this number when it is your turn.",
            "es": "Conservó su lugar en la fila. Le devolveremos la llamada a este número cuando sea su turno.",
        },
        "queue_failed": {
            "en": "We could not connect you to a representative.",
            "es": "No pudimos comunicarlo con un representante.",
        },
        "try_later": {
            "en": "Please call again later, or visit uscis.gov.",
            "es": "Por favor, vuelva a llamar más tarde o visite uscis.gov/es.",
        },
        "am_pm_time": {"en": "{time}", "es": "{time}"},
        # --- callbacks to a number the caller keys ---
        "ask_callback_number": {
            "en": (
                "We cannot call back the number you are calling from. Please say or enter the 10-digit U.S. "
                "phone number where we can call you, starting with the area code, then press pound."
            ),
            "es": (
                "No podemos devolver la llamada al número desde el que llama. Por favor, diga o marque el número "
                "de teléfono de los Estados Unidos de 10 dígitos donde podemos llamarle, empezando por el código "
                "de área, y luego oprima la tecla de numeral."
            ),
        },
        "ask_other_callback_number": {
            "en": (
                "Please say or enter the 10-digit U.S. phone number where we can call you, starting with the area "
                "code, then press pound."
            ),
            "es": (
                "Por favor, diga o marque el número de teléfono de los Estados Unidos de 10 dígitos donde podemos "
                "llamarle, empezando por el código de área, y luego oprima la tecla de numeral."
            ),
        },
        "callback_number_invalid": {
            "en": "That is not a 10-digit U.S. phone number.",
            "es": "Ese no es un número de teléfono de los Estados Unidos de 10 dígitos.",
        },
        "callback_number_help": {
            "en": (
                "A U.S. phone number has 10 digits: the 3-digit area code, then the 7-digit number. For example, "
                "for 2 0 2, 5 5 5, 0 1 0 0, press 2 0 2 5 5 5 0 1 0 0 and then pound."
            ),
            "es": (
                "Un número de teléfono de los Estados Unidos tiene 10 dígitos: el código de área de 3 dígitos y "
                "luego el número de 7 dígitos. Por ejemplo, para 2 0 2, 5 5 5, 0 1 0 0, oprima "
                "2 0 2 5 5 5 0 1 0 0 y luego la tecla de numeral."
            ),
        },
        "confirm_callback_number": {
            "en": "We will call you back at {spelled}. If this is correct, press 1. To enter it again, press 2.",
            "es": (
                "Le devolveremos la llamada al {spelled}. Si es correcto, oprima 1. Para ingresarlo otra vez, oprima 2."
            ),
        },
        "callback_booked_at": {
            "en": "We will call you back at {spelled} during business hours.",
            "es": "Le devolveremos la llamada al {spelled} en horario de atención.",
        },
        "callback_number_gave_up": {
            "en": "We could not take a number to call you back. Please call again during business hours.",
            "es": (
                "No pudimos tomar un número para devolverle la llamada. Por favor, vuelva a llamar en horario "
                "de atención."
            ),
        },
    }
)

PROMPTS.update(
    {
        "confirm_choice": {
            "en": "I heard: {option}. Is that right? Say yes or press 1; say no or press 2.",
            "es": "Entendí: {option}. ¿Es correcto? Diga sí u oprima 1; diga no u oprima 2.",
        },
        "try_again": {"en": "All right, let's try again.", "es": "Bien, intentémoslo otra vez."},
        "option_number": {"en": "option {number}", "es": "la opción {number}"},
        "ask_receipt_letters": {
            "en": "And the three letters at the start of the number? Say them, such as E A C, or key them.",
            "es": "¿Y las tres letras al comienzo del número? Dígalas, por ejemplo E A C, o márquelas.",
        },
        "receipt_letters_invalid": {
            "en": "Those are not letters a receipt number starts with.",
            "es": "Un número de recibo no empieza con esas letras.",
        },
    }
)

# What each option of a menu is, as the IVR names it when it asks "I heard: …, is that right?".
OPTION_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "": {
        "0": {"en": "a representative", "es": "un representante"},
        "9": {"en": "the main menu", "es": "el menú principal"},
        "*": {"en": "go back", "es": "regresar"},
        "repeat": {"en": "repeat", "es": "repetir"},
    },
    "main": {
        "1": {"en": "case status", "es": "el estado de su caso"},
        "2": {"en": "forms and fees", "es": "formularios y tarifas"},
        "3": {"en": "processing times", "es": "tiempos de procesamiento"},
        "4": {"en": "field offices", "es": "oficinas locales"},
        "5": {"en": "a civil surgeon", "es": "un médico civil"},
        "6": {"en": "priority dates", "es": "fechas de prioridad"},
    },
    "case_next": {
        "1": {"en": "another receipt number", "es": "otro número de recibo"},
        "2": {"en": "the processing time for this case", "es": "el tiempo de procesamiento de este caso"},
        "3": {"en": "a service request's status", "es": "el estado de una solicitud de servicio"},
        "4": {"en": "a text when the status changes", "es": "un mensaje de texto cuando cambie el estado"},
    },
    "form_menu": {
        "1": {"en": "a link by text message", "es": "un enlace por mensaje de texto"},
        "4": {"en": "a link texted to another number", "es": "un enlace a otro número"},
        "2": {"en": "the form by mail", "es": "el formulario por correo"},
        "3": {"en": "another form", "es": "otro formulario"},
    },
    "results_menu": {
        "1": {"en": "hear this again", "es": "escuchar esto otra vez"},
        "2": {"en": "these details by text message", "es": "estos datos por mensaje de texto"},
        "4": {"en": "these details texted to another number", "es": "estos datos a otro número"},
        "3": {"en": "another ZIP code", "es": "otro código postal"},
    },
    "ptime_intro": {
        "1": {"en": "the time for a form", "es": "el tiempo de un formulario"},
        "2": {"en": "whether your case is outside normal processing time", "es": "si su caso está fuera del tiempo"},
        "3": {"en": "priority dates", "es": "fechas de prioridad"},
    },
    "ptime_menu": {
        "1": {"en": "a specific case", "es": "un caso específico"},
        "2": {"en": "another form", "es": "otro formulario"},
    },
    "pd_group": {
        "1": {"en": "family-sponsored categories", "es": "categorías de familiares"},
        "2": {"en": "employment-based categories", "es": "categorías de empleo"},
    },
    "pd_menu": {"1": {"en": "another category", "es": "otra categoría"}},
    "after_hours": {
        "1": {"en": "a call back", "es": "que le devuelvan la llamada"},
        "2": {"en": "a call back at another number", "es": "que le llamen a otro número"},
    },
}


def option_label(menu: str, choice: str, language: str) -> str:
    """The option's name ("forms and fees"); an option of a numbered list is its number."""
    labels = OPTION_LABELS.get(menu, {}).get(choice) or OPTION_LABELS[""].get(choice)
    if labels is None:
        return prompt("option_number", language, number=choice)
    return labels["es" if language == "es" else "en"]


# Each case status as said on the phone: its date, then the one thing to do (the web texts read aloud
# were 50–70 words with a URL in most). A status not here is read from its web text, URLs left out.
STATUS_SPOKEN: dict[str, dict[str, str]] = {
    "case-was-received": {
        "en": "We received it on {date} and mailed you a receipt notice. Follow its instructions.",
        "es": "Lo recibimos el {date} y le enviamos un aviso de recibo. Siga sus instrucciones.",
    },
    "fingerprint-fee-was-received": {
        "en": "We received your biometrics fee on {date}. We will mail you an appointment notice.",
        "es": "Recibimos su pago de datos biométricos el {date}. Le enviaremos un aviso con su cita.",
    },
    "biometrics-appointment-was-scheduled": {
        "en": "We scheduled it on {date} and mailed you the notice. Bring it and a photo ID to your appointment.",
        "es": "La programamos el {date} y le enviamos el aviso. Lleve el aviso y una identificación con foto a su "
        "cita.",
    },
    "case-is-being-actively-reviewed-by-uscis": {
        "en": "As of {date}, we are reviewing it. We need nothing from you now.",
        "es": "Desde el {date}, lo estamos revisando. No necesitamos nada de usted por ahora.",
    },
    "request-for-additional-evidence-was-sent": {
        "en": "We mailed you a request for evidence on {date}. Answer it by the deadline it gives.",
        "es": "Le enviamos una solicitud de evidencia el {date}. Respóndala antes de la fecha límite que indica.",
    },
    "response-to-uscis-request-for-evidence-was-received": {
        "en": "We received your response on {date} and are working on your case again.",
        "es": "Recibimos su respuesta el {date} y seguimos trabajando en su caso.",
    },
    "interview-was-scheduled": {
        "en": "We scheduled your interview on {date} and mailed you the notice. Bring it to your interview.",
        "es": "Programamos su entrevista el {date} y le enviamos el aviso. Llévelo a su entrevista.",
    },
    "case-was-transferred-and-a-new-office-has-jurisdiction": {
        "en": "On {date}, we moved your case to another office. It will mail you a notice.",
        "es": "El {date}, trasladamos su caso a otra oficina. Esa oficina le enviará un aviso.",
    },
    "case-was-approved": {
        "en": "We approved it on {date} and mailed you the approval notice.",
        "es": "Lo aprobamos el {date} y le enviamos el aviso de aprobación.",
    },
    "new-card-is-being-produced": {
        "en": "We ordered your new card on {date}. We will mail it to the address you gave us.",
        "es": "Ordenamos su nueva tarjeta el {date}. Se la enviaremos a la dirección que nos dio.",
    },
    "card-was-mailed-to-me": {
        "en": "We mailed your card on {date}. The Post Office will deliver it to the address you gave us.",
        "es": "Le enviamos su tarjeta el {date}. El Servicio Postal la entregará en la dirección que nos dio.",
    },
    "card-was-delivered-to-me-by-the-post-office": {
        "en": "The Post Office delivered your card on {date}. If you do not have it, ask a representative.",
        "es": "El Servicio Postal entregó su tarjeta el {date}. Si no la tiene, pregunte a un representante.",
    },
    "case-was-denied": {
        "en": "We denied it on {date} and mailed you a notice that explains why and what you can do.",
        "es": "Lo negamos el {date} y le enviamos un aviso que explica por qué y qué puede hacer.",
    },
    "case-was-rejected-because-it-was-improperly-filed": {
        "en": "We rejected it on {date} because it was not filed correctly, and mailed you a notice that explains why.",
        "es": "Lo rechazamos el {date} porque no se presentó correctamente, y le enviamos un aviso que explica por "
        "qué.",
    },
}

# --- the customer feedback survey (OMB Circular A-11 §280), ivr/survey.py ---
PROMPTS.update(
    {
        "survey_finish_option": {
            "en": "If you have finished, press 8.",
            "es": "Si ya terminó, oprima 8.",
        },
        "survey_offer": {
            "en": "Please help us improve. To answer two short questions about this call, press 1. "
            "Otherwise, you may hang up.",
            "es": "Ayúdenos a mejorar. Para contestar dos preguntas breves sobre esta llamada, oprima 1. "
            "De lo contrario, puede colgar.",
        },
        "survey_satisfaction": {
            "en": "From 1, strongly disagree, to 5, strongly agree: I am satisfied with the service I received. "
            "Press or say a number from 1 to 5.",
            "es": "Del 1, totalmente en desacuerdo, al 5, totalmente de acuerdo: estoy satisfecho con el servicio "
            "que recibí. Oprima o diga un número del 1 al 5.",
        },
        "survey_trust": {
            "en": "This call increased my trust in U.S. Citizenship and Immigration Services. "
            "Press or say a number from 1 to 5.",
            "es": "Esta llamada aumentó mi confianza en el Servicio de Ciudadanía e Inmigración de los Estados "
            "Unidos. Oprima o diga un número del 1 al 5.",
        },
        "survey_thanks": {
            "en": "Thank you for your answers. Goodbye.",
            "es": "Gracias por sus respuestas. Adiós.",
        },
    }
)


# A service request as said on the phone: its type, and its status in the caller's words.
SERVICE_REQUEST_KIND_SPOKEN: dict[str, dict[str, str]] = {
    "address_change": {"en": "change of address", "es": "cambio de dirección"},
    "notice_not_received": {"en": "notice not received", "es": "aviso no recibido"},
    "card_not_received": {"en": "card not received", "es": "tarjeta no recibida"},
    "document_not_received": {"en": "document not received", "es": "documento no recibido"},
    "outside_normal": {
        "en": "case outside normal processing time",
        "es": "caso fuera del tiempo normal de procesamiento",
    },
    "accommodation": {"en": "appointment accommodation", "es": "acomodo para una cita"},
    "typographic_error": {"en": "typographic error", "es": "error tipográfico"},
    "expedite": {"en": "expedite request", "es": "solicitud de trámite acelerado"},
    "emergency_appointment": {"en": "emergency appointment request", "es": "solicitud de cita de emergencia"},
}
SERVICE_REQUEST_STATUS_SPOKEN: dict[str, dict[str, str]] = {
    "routed": {"en": "it was sent to the office that has your case", "es": "se envió a la oficina que tiene su caso"},
    "pending_review": {"en": "an officer is reviewing it", "es": "un oficial la está revisando"},
    "approved": {
        "en": "it was approved and sent to the office that has your case",
        "es": "se aprobó y se envió a la oficina que tiene su caso",
    },
    "denied": {"en": "it was not approved", "es": "no se aprobó"},
    "in_progress": {"en": "the office is working on it", "es": "la oficina está trabajando en ella"},
    "awaiting_reply": {
        "en": "we asked you for information and are waiting for your answer",
        "es": "le pedimos información y esperamos su respuesta",
    },
    "resolved": {"en": "it is resolved", "es": "está resuelta"},
    "closed": {"en": "it is closed", "es": "está cerrada"},
}
