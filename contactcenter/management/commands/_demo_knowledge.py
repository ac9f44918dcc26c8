"""The demo's knowledge library: approved answers and policy articles on the questions callers ask most,
each in English and Spanish. Public facts only, as USCIS publishes them; seed_demo writes them through
the library's services and the demo CAO supervisor publishes them."""

from __future__ import annotations

from contactcenter.knowledge.models import ArticleKind

# topic code, kind, source, (English title, body), (Spanish title, body)
DEMO_ARTICLES: list[tuple[str, str, str, tuple[str, str], tuple[str, str]]] = [
    (
        "address-change",
        ArticleKind.ANSWER,
        "INA § 265; 8 CFR 265.1; uscis.gov/addresschange",
        (
            "Reporting a change of address (Form AR-11)",
            "Most noncitizens in the United States must report a change of address to USCIS within 10 days "
            "of moving. The requirement is in section 265 of the Immigration and Nationality Act; U.S. citizens "
            "do not need to report a move. A few people are exempt, such as diplomats in A or G status; the "
            "Form AR-11 instructions list them.\n\n"
            "The fastest way is online, on the USCIS change of address page: uscis.gov/addresschange. Changing "
            "your address online also updates it on your pending applications, petitions and requests, so you "
            "do not need a separate Form AR-11 for each case. If you cannot use the online tool, you may mail "
            "Form AR-11. A mailed AR-11 does not update your pending cases: update them online as well, or call "
            "the USCIS Contact Center.\n\n"
            "Keep your address current while a case is pending: USCIS mails notices and cards to the address "
            "on file, and the Postal Service may not forward them.",
        ),
        (
            "Cómo informar un cambio de dirección (Formulario AR-11)",
            "La mayoría de los extranjeros que viven en los Estados Unidos debe informar a USCIS su cambio de "
            "dirección dentro de los 10 días siguientes a su mudanza. Este requisito está en la sección 265 de "
            "la Ley de Inmigración y Nacionalidad; los ciudadanos estadounidenses no necesitan informar una "
            "mudanza. Hay algunas excepciones, como los diplomáticos con estatus A o G; las instrucciones del "
            "Formulario AR-11 las indican.\n\n"
            "La forma más rápida es en línea, en la página de cambio de dirección de USCIS: "
            "uscis.gov/addresschange. Si cambia su dirección en línea, también se actualiza en sus solicitudes "
            "y peticiones pendientes, y no necesita presentar un Formulario AR-11 aparte para cada caso. Si no "
            "puede usar la herramienta en línea, puede enviar el Formulario AR-11 por correo. Un AR-11 enviado "
            "por correo no actualiza sus casos pendientes: actualícelos también en línea o llame al Centro de "
            "Contacto de USCIS.\n\n"
            "Mantenga su dirección al día mientras tenga un caso pendiente: USCIS envía los avisos y las "
            "tarjetas a la dirección que tiene registrada, y es posible que el Servicio Postal no los reenvíe.",
        ),
    ),
    (
        "non-delivery",
        ArticleKind.ANSWER,
        "uscis.gov/casestatus; USCIS e-Request: card not received",
        (
            "Card not received after USCIS mailed it",
            "First check the case status at uscis.gov/casestatus with the receipt number. When the card has "
            "been mailed, the status shows the date and often a U.S. Postal Service tracking number, which you "
            "can use to follow the delivery.\n\n"
            "If 30 days have passed since the mailing date and you still have not received the card, you may "
            "submit an online service request (e-Request) for a card not received, or call the USCIS Contact "
            "Center. Have the receipt number and the mailing address USCIS has on file ready.\n\n"
            "If the card was mailed to an old address because the move was not reported, you may need to file "
            "a new application, for example Form I-90 for a green card, with its fee. Report every change of "
            "address within 10 days to avoid this.",
        ),
        (
            "Tarjeta no recibida después de que USCIS la envió por correo",
            "Primero, verifique el estado de su caso en uscis.gov/casestatus con su número de recibo. Cuando la "
            "tarjeta ya se envió por correo, el estado muestra la fecha y, con frecuencia, un número de "
            "rastreo del Servicio Postal de los Estados Unidos, con el cual usted puede seguir la entrega.\n\n"
            "Si han pasado 30 días desde la fecha de envío y todavía no ha recibido su tarjeta, puede presentar "
            "una solicitud de servicio en línea (e-Request) por tarjeta no recibida, o llamar al Centro de "
            "Contacto de USCIS. Tenga a mano su número de recibo y la dirección postal que USCIS tiene "
            "registrada.\n\n"
            "Si la tarjeta se envió a una dirección anterior porque usted no informó su mudanza, es posible que "
            "deba presentar una nueva solicitud, por ejemplo el Formulario I-90 para la tarjeta verde, con su "
            "tarifa. Para evitarlo, informe cada cambio de dirección dentro de los 10 días.",
        ),
    ),
    (
        "outside-processing-time",
        ArticleKind.ANSWER,
        "uscis.gov/processing-times; USCIS e-Request: case outside normal processing time",
        (
            "Case outside normal processing time: when to submit a service request",
            "Processing times for each form and office are posted at uscis.gov/processing-times. Choose the "
            "form, the category and the office handling the case: the page shows how long most cases take and "
            "a receipt date for a case inquiry.\n\n"
            "If the case's receipt date is earlier than the receipt date for a case inquiry, the case is outside "
            "normal processing time. You may then submit an online service request (e-Request) or call the "
            "USCIS Contact Center to have the case reviewed. If the receipt date is later, please wait: an "
            "inquiry about a case still within normal processing time does not make it move faster.\n\n"
            "Each service request receives a referral number. Keep it to follow up on the request.",
        ),
        (
            "Caso fuera del tiempo normal de procesamiento: cuándo presentar una solicitud de servicio",
            "Los tiempos de procesamiento de cada formulario y oficina se publican en "
            "uscis.gov/processing-times. Elija el formulario, la categoría y la oficina que tramita su caso: la "
            "página muestra cuánto tardan la mayoría de los casos y una fecha de recibo para consultas sobre "
            "casos.\n\n"
            "Si la fecha de recibo de su caso es anterior a la fecha de recibo para consultas, su caso está "
            "fuera del tiempo normal de procesamiento. En ese caso, puede presentar una solicitud de servicio en "
            "línea (e-Request) o llamar al Centro de Contacto de USCIS para que se revise su caso. Si la fecha "
            "de recibo es posterior, le pedimos que espere: una consulta sobre un caso que todavía está dentro "
            "del tiempo normal de procesamiento no hace que avance más rápido.\n\n"
            "Cada solicitud de servicio recibe un número de referencia. Consérvelo para dar seguimiento a su "
            "solicitud.",
        ),
    ),
    (
        "expedite",
        ArticleKind.ARTICLE,
        "USCIS Policy Manual, Vol. 1, Part A, Ch. 5",
        (
            "Expedite requests: the criteria USCIS considers",
            "USCIS may, at its discretion, process a benefit request ahead of others when the requestor shows "
            "that it meets at least one of these criteria:\n\n"
            "- severe financial loss to a company or person, as long as the urgency is not the result of the "
            "requestor's own unreasonable delay;\n"
            "- an emergency or an urgent humanitarian reason;\n"
            "- a nonprofit organization whose request furthers the cultural or social interests of the United "
            "States;\n"
            "- U.S. government interests, such as a case a federal agency identifies as urgent for public "
            "safety or national security;\n"
            "- a clear USCIS error.\n\n"
            "An expedite request is made through the USCIS Contact Center, which creates a service request, "
            "and must be supported by documents showing the reason, such as a letter from a doctor or an "
            "employer. USCIS decides each request on all the circumstances of the case. Expediting changes only "
            "when a case is worked on; it does not change the eligibility requirements.",
        ),
        (
            "Solicitudes de trámite acelerado: los criterios que USCIS considera",
            "USCIS puede, a su discreción, tramitar una solicitud de beneficio antes que otras cuando el "
            "solicitante demuestra que cumple al menos uno de estos criterios:\n\n"
            "- una pérdida financiera grave para una empresa o una persona, siempre que la urgencia no se deba "
            "a una demora injustificada del propio solicitante;\n"
            "- una emergencia o una razón humanitaria urgente;\n"
            "- una organización sin fines de lucro cuya solicitud promueve los intereses culturales o sociales "
            "de los Estados Unidos;\n"
            "- intereses del gobierno de los Estados Unidos, como un caso que una agencia federal considera "
            "urgente por seguridad pública o seguridad nacional;\n"
            "- un error evidente de USCIS.\n\n"
            "La solicitud de trámite acelerado se hace por medio del Centro de Contacto de USCIS, que crea una "
            "solicitud de servicio, y debe acompañarse de documentos que demuestren el motivo, como una carta "
            "de un médico o de un empleador. USCIS decide cada solicitud según todas las circunstancias del "
            "caso. Acelerar un caso solo cambia cuándo se trabaja; no cambia los requisitos de elegibilidad.",
        ),
    ),
    (
        "biometrics",
        ArticleKind.ANSWER,
        "8 CFR 103.2(b)(9) and (b)(13); Form I-797C appointment notice",
        (
            "Rescheduling a biometrics appointment",
            "USCIS schedules biometrics appointments at an Application Support Center and mails a notice (Form "
            "I-797C) with the date, time and place.\n\n"
            "To reschedule, do so before the appointment: many applicants can reschedule in their USCIS online "
            "account; otherwise, call the USCIS Contact Center. You must show good cause, such as an illness, "
            "a medical appointment or a family emergency. Rescheduling may delay the case.\n\n"
            "If you miss the appointment without rescheduling it, USCIS may consider the case abandoned and "
            "deny it. Bring the appointment notice and a valid government-issued photo identification to the "
            "appointment.",
        ),
        (
            "Cómo cambiar la fecha de una cita de datos biométricos",
            "USCIS programa las citas de datos biométricos en un Centro de Asistencia para Solicitudes y envía "
            "por correo un aviso (Formulario I-797C) con la fecha, la hora y el lugar.\n\n"
            "Para cambiar la fecha, hágalo antes de la cita: muchos solicitantes pueden hacerlo en su cuenta en "
            "línea de USCIS; de lo contrario, llame al Centro de Contacto de USCIS. Usted debe demostrar una "
            "causa justificada, como una enfermedad, una cita médica o una emergencia familiar. Cambiar la "
            "fecha puede retrasar su caso.\n\n"
            "Si no se presenta a la cita y no la cambió, USCIS puede considerar que abandonó su caso y negarlo. "
            "Lleve a la cita el aviso y una identificación con fotografía vigente emitida por el gobierno.",
        ),
    ),
    (
        "fees",
        ArticleKind.ARTICLE,
        "8 CFR 106.3; Form I-912 instructions",
        (
            "Fee waivers (Form I-912)",
            "Some USCIS forms may be filed without the fee when the applicant cannot pay it. The request is "
            "made with Form I-912, Request for Fee Waiver, filed together with the form. The forms for which a "
            "fee waiver is available are listed in 8 CFR 106.3 and in the Form I-912 instructions; each form's "
            "page on uscis.gov gives its current fee.\n\n"
            "USCIS considers a fee waiver on one of these bases:\n\n"
            "- the applicant receives a means-tested benefit;\n"
            "- the household income is at or below 150 percent of the Federal Poverty Guidelines when the form "
            "is filed;\n"
            "- financial hardship, such as unexpected medical expenses or an emergency.\n\n"
            "Include evidence of the basis claimed. If USCIS denies the fee waiver, it rejects the filing; the "
            "applicant may file again with the fee or with a new fee waiver request.",
        ),
        (
            "Exenciones de tarifas (Formulario I-912)",
            "Algunos formularios de USCIS pueden presentarse sin pagar la tarifa cuando el solicitante no puede "
            "pagarla. La exención se pide con el Formulario I-912, Solicitud de Exención de Tarifas, presentado "
            "junto con el formulario. Los formularios que admiten una exención de tarifas figuran en el 8 CFR "
            "106.3 y en las instrucciones del Formulario I-912; la página de cada formulario en uscis.gov indica "
            "su tarifa vigente.\n\n"
            "USCIS considera una exención de tarifas por una de estas razones:\n\n"
            "- el solicitante recibe un beneficio sujeto a la verificación de recursos;\n"
            "- los ingresos del hogar son iguales o inferiores al 150 por ciento de las Pautas Federales de "
            "Pobreza en el momento de presentar el formulario;\n"
            "- dificultades económicas, como gastos médicos imprevistos o una emergencia.\n\n"
            "Incluya pruebas de la razón que indique. Si USCIS niega la exención, rechaza la presentación; el "
            "solicitante puede presentarla de nuevo con la tarifa o con una nueva solicitud de exención.",
        ),
    ),
]
