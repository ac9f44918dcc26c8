"""What a caller keyed or said, turned into receipt numbers, ZIP codes, form numbers and choices."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from contactcenter.reference.identifiers import RECEIPT_PREFIXES

KEYPAD = {
    **dict.fromkeys("ABC", "2"),
    **dict.fromkeys("DEF", "3"),
    **dict.fromkeys("GHI", "4"),
    **dict.fromkeys("JKL", "5"),
    **dict.fromkeys("MNO", "6"),
    **dict.fromkeys("PQRS", "7"),
    **dict.fromkeys("TUV", "8"),
    **dict.fromkeys("WXYZ", "9"),
}
# Every prefix keys to a different triple (EAC → 322, WAC → 922, …), so keyed letters are unambiguous.
PREFIX_BY_KEYS = {"".join(KEYPAD[ch] for ch in prefix): prefix for prefix in RECEIPT_PREFIXES}
PREFIX_BY_MENU_DIGIT = {str(n): prefix for n, prefix in enumerate(RECEIPT_PREFIXES, start=1)}

LETTER_WORDS = {
    # English letter names and common mis-hearings
    "a": "A",
    "ay": "A",
    "eh": "E",
    "b": "B",
    "be": "B",
    "bee": "B",
    "c": "C",
    "see": "C",
    "sea": "C",
    "e": "E",
    "ee": "E",
    "i": "I",
    "eye": "I",
    "l": "L",
    "el": "L",
    "ell": "L",
    "m": "M",
    "em": "M",
    "n": "N",
    "en": "N",
    "o": "O",
    "oh": "O",
    "r": "R",
    "are": "R",
    "ar": "R",
    "s": "S",
    "es": "S",
    "ess": "S",
    "w": "W",
    "y": "Y",
    "why": "Y",
    "wye": "Y",
    # NATO alphabet
    "alpha": "A",
    "alfa": "A",
    "bravo": "B",
    "charlie": "C",
    "echo": "E",
    "india": "I",
    "lima": "L",
    "mike": "M",
    "november": "N",
    "oscar": "O",
    "romeo": "R",
    "sierra": "S",
    "whiskey": "W",
    "yankee": "Y",
    # Spanish letter names
    "ce": "C",
    "ele": "L",
    "eme": "M",
    "ene": "N",
    "ese": "S",
    "erre": "R",
    "ere": "R",
    "ye": "Y",
}
MULTIWORD_LETTERS = {
    "double u": "W",
    "double you": "W",
    "doble ve": "W",
    "doble u": "W",
    "uve doble": "W",
    "doble v": "W",
    "i griega": "Y",
}


# --- words ---------------------------------------------------------------------------------------
def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9 ]+", " ", text)


def words(text: str) -> list[str]:
    """Lowercase words without accents or punctuation: "¿Sí, es correcto?" → ["si", "es", "correcto"]."""
    return _plain(text).split()


def digits_only(value: str) -> str:
    return re.sub(r"\D", "", value or "")


# --- numbers -------------------------------------------------------------------------------------
UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "cero": 0, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
}  # fmt: skip
# Words that are a digit only among other numbers: "nine oh two", "two one for five", "un nueve" — but
# "oh, it's…", "calling for my case", "un representante".
SOUNDS_LIKE = {"oh": 0, "o": 0, "won": 1, "to": 2, "too": 2, "for": 4, "fore": 4, "ate": 8, "un": 1, "una": 1}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21,
    "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
    "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
}  # fmt: skip
HUNDREDS = {
    "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200, "trescientos": 300, "trescientas": 300,
    "cuatrocientos": 400, "cuatrocientas": 400, "quinientos": 500, "quinientas": 500, "seiscientos": 600,
    "seiscientas": 600, "setecientos": 700, "setecientas": 700, "ochocientos": 800, "ochocientas": 800,
    "novecientos": 900, "novecientas": 900,
}  # fmt: skip
REPEATS = {"double": 2, "doble": 2, "triple": 3}
_NUMERIC = set(UNITS) | set(TEENS) | set(TENS) | set(HUNDREDS) | {"hundred", "thousand", "mil"}


def _numeric(word: str | None) -> bool:
    return word is not None and (word.isdigit() or word in _NUMERIC)


def _unit(tokens: list[str], i: int) -> int | None:
    """The digit tokens[i] stands for, if it is one here: a sound-alike counts only among numbers
    ("oh" beside one, "for" between two)."""
    word = tokens[i]
    if word in UNITS:
        return UNITS[word]
    if word in SOUNDS_LIKE:
        before = tokens[i - 1] if i > 0 else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if word in ("oh", "o"):
            near = (before, after)
            if any(_numeric(other) or other in ("oh", "o") for other in near):
                return 0
        elif _numeric(before) and _numeric(after):
            return SOUNDS_LIKE[word]
    return None


def _below_hundred(tokens: list[str], i: int) -> tuple[int | None, int]:
    """A number under 100 said at tokens[i] ("eighty five", "noventa y cinco", "nineteen", "seven")."""
    if i >= len(tokens):
        return None, i
    word = tokens[i]
    if word in TEENS:
        return TEENS[word], i + 1
    if word in TENS:
        value, j = TENS[word], i + 1
        if j + 1 < len(tokens) and tokens[j] in ("y", "and") and UNITS.get(tokens[j + 1]):
            return value + UNITS[tokens[j + 1]], j + 2
        if j < len(tokens) and UNITS.get(tokens[j]):
            return value + UNITS[tokens[j]], j + 1
        return value, j
    unit = _unit(tokens, i)
    return (unit, i + 1) if unit is not None else (None, i)


def _below_thousand(tokens: list[str], i: int) -> tuple[int | None, int]:
    """ "four hundred eighty five", "cuatrocientos ochenta y cinco", or a number under 100."""
    if i >= len(tokens):
        return None, i
    if tokens[i] in HUNDREDS:
        rest, j = _below_hundred(tokens, i + 1)
        return HUNDREDS[tokens[i]] + (rest or 0), j
    value, j = _below_hundred(tokens, i)
    if value is not None and j < len(tokens) and tokens[j] == "hundred":
        k = j + 2 if j + 1 < len(tokens) and tokens[j + 1] == "and" else j + 1
        rest, after = _below_hundred(tokens, k)
        return value * 100 + (rest or 0), after if rest is not None else j + 1
    return value, j


def _pieces(tokens: list[str], i: int) -> list[tuple[str, int]]:
    """The ways to read the number said at tokens[i], as (digits, index after), likeliest first;
    [("", i + 1)] for a word that is no number."""
    word = tokens[i]
    if word.isdigit():
        return [(word, i + 1)]
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if word in REPEATS and (after in UNITS or after in ("oh", "o")):
        return [(str(UNITS.get(after, 0)) * REPEATS[word], i + 2)]
    value, j = (1, i) if word in ("mil", "thousand") else _below_thousand(tokens, i)
    if value is None:
        return [("", i + 1)]
    if j < len(tokens) and tokens[j] in ("mil", "thousand"):
        rest, k = _below_thousand(tokens, j + 1)
        return [(str(value * 1000 + (rest or 0)), k if rest is not None else j + 1)]
    pieces = [(str(value), j)]
    if word in TENS and j > i + 1:  # "ninety one" may be 90 then 1
        pieces.append((str(TENS[word]), i + 1))
    elif word in TENS and after in ("cero", "zero", "oh", "o"):  # "noventa cero": the zero is the 90's
        pieces.append((str(TENS[word]), i + 2))
    return pieces


READINGS_MAX = 64


def _readings(tokens: list[str]) -> list[list[str]]:
    """Every reading of the numbers said (each a list of numbers as digits), likeliest first."""
    found: list[list[str]] = []

    def walk(i: int, pieces: list[str]) -> None:
        if len(found) >= READINGS_MAX:
            return
        if i >= len(tokens):
            found.append(pieces)
            return
        for digits, j in _pieces(tokens, i):
            walk(j, [*pieces, digits] if digits else pieces)

    walk(0, [])
    return found


def _digits_of_length(tokens: list[str], length: int) -> str | None:
    """The likeliest reading with exactly `length` digits ("twenty one ninety one two…" → 2190 12…)."""
    for reading in _readings(tokens):
        digits = "".join(reading)
        if len(digits) == length:
            return digits
    return None


def _digit_groups(tokens: list[str]) -> list[str]:
    return _readings(tokens)[0]


def number_from_speech(text: str) -> str:
    """Digits a caller said or keyed, in both languages: "nine oh zero one two", "noventa cero cero
    uno dos", "two nineteen" → 90012, 90012, 219."""
    return "".join(_digit_groups(words(text)))


def zip_from_speech(text: str) -> str | None:
    return _digits_of_length(words(text), 5)


def form_digits_from_speech(text: str) -> str:
    """ "I 485" / "I-four eighty-five" / "formulario N cuatrocientos" → the form's digits."""
    return number_from_speech(text)


# --- receipt numbers -----------------------------------------------------------------------------
def receipt_from_keys(digits: str) -> str | None:
    """13 keys (letters on the keypad + 10 digits) or 11 keys (prefix menu digit + 10 digits)."""
    digits = digits_only(digits)
    if len(digits) == 13 and digits[:3] in PREFIX_BY_KEYS:
        return PREFIX_BY_KEYS[digits[:3]] + digits[3:]
    if len(digits) == 11 and digits[0] in PREFIX_BY_MENU_DIGIT:
        return PREFIX_BY_MENU_DIGIT[digits[0]] + digits[1:]
    return None


def _letter_tokens(text: str) -> list[str]:
    plain = " " + _plain(text) + " "
    for phrase, letter in MULTIWORD_LETTERS.items():
        plain = plain.replace(f" {phrase} ", f" {letter.lower()} ")
    return plain.split()


def _prefix_at(tokens: list[str], i: int) -> tuple[str, int, str] | None:
    """A receipt prefix said from tokens[i]: (prefix, index after it, digits written onto it)."""
    word = tokens[i]
    glued = re.fullmatch(r"([a-z]{3})(\d*)", word)
    if glued and glued.group(1).upper() in RECEIPT_PREFIXES:
        return glued.group(1).upper(), i + 1, glued.group(2)
    letters, j = "", i
    while j < len(tokens) and len(letters) < 3 and tokens[j] in LETTER_WORDS:
        letters += LETTER_WORDS[tokens[j]]
        j += 1
    if letters in RECEIPT_PREFIXES:
        return letters, j, ""
    return None


@dataclass(frozen=True)
class HeardReceipt:
    prefix: str  # "" when only the digits were said
    digits: str

    @property
    def receipt(self) -> str | None:
        return self.prefix + self.digits if self.prefix else None


def receipt_heard(text: str) -> HeardReceipt | None:
    """A receipt number said: letter names, NATO words or Spanish letters, then digits said one by
    one, in groups ("two nineteen") or written; or the 10 digits alone (the letters are asked after)."""
    tokens = _letter_tokens(text)
    for i in range(len(tokens)):
        found = _prefix_at(tokens, i)
        if found is None:
            continue
        prefix, after, glued = found
        digits = _digits_of_length(tokens[after:], 10 - len(glued))
        if digits is not None:
            return HeardReceipt(prefix, glued + digits)
    first_number = next((i for i, token in enumerate(tokens) if _numeric(token)), len(tokens))
    spelled = list(itertools.takewhile(lambda token: len(token) == 1, reversed(tokens[:first_number])))
    if len(spelled) >= 2:
        return None  # letters were said before the digits, but they are no receipt prefix
    digits = _digits_of_length(tokens, 10)
    return HeardReceipt("", digits) if digits else None


def receipt_keyed(digits: str) -> HeardReceipt | None:
    """13 or 11 keys (receipt_from_keys), or the 10 digits alone (the letters are asked after)."""
    receipt = receipt_from_keys(digits)
    if receipt:
        return HeardReceipt(receipt[:3], receipt[3:])
    keyed = digits_only(digits)
    return HeardReceipt("", keyed) if len(keyed) == 10 else None


def receipt_from_speech(text: str) -> str | None:
    """ "E A C two one nine oh oh oh oh oh oh one" → EAC2190000001; None without the letters."""
    heard = receipt_heard(text)
    return heard.receipt if heard else None


def prefix_from_speech(text: str) -> str | None:
    """The three letters alone ("E A C", "doble ve a ce")."""
    tokens = _letter_tokens(text)
    for i in range(len(tokens)):
        found = _prefix_at(tokens, i)
        if found and not found[2]:
            return found[0]
    return None


# --- yes or no -----------------------------------------------------------------------------------
NEGATIONS = {
    "no", "nope", "nah", "not", "incorrect", "wrong", "isn", "wasn", "aren", "doesn", "negative", "never",
    "incorrecto", "incorrecta", "negativo", "equivocado", "equivocada", "mal", "tampoco", "nunca", "nel", "nop",
}  # fmt: skip
AFFIRMATIONS = {
    "yes", "yeah", "yep", "yup", "ya", "correct", "right", "sure", "ok", "okay", "affirmative", "exactly",
    "absolutely", "true", "confirm", "confirmed", "indeed", "si", "sip", "aja", "correcto", "correcta", "claro",
    "exacto", "exacta", "afirmativo", "cierto", "vale", "perfecto", "confirmo", "bueno", "asi",
}  # fmt: skip


# Said as a whole: not knowing is neither yes nor no, though it holds "no"; agreeing sounds.
UNSURE = ["not sure", "no se", "don t know", "dont know", "no estoy seguro", "no estoy segura", "no recuerdo"]
AGREEING = ["uh huh", "mm hmm", "mhm", "eso es", "esta bien", "asi es", "that s it", "de acuerdo"]


# Pressed, or said as the whole answer ("one", "dos").
YES_NO_KEYS = {"1": "yes", "2": "no"}


def yes_no(digits: str, speech: str) -> str | None:
    """ "yes" or "no" to a read-back (1 or 2 on the keypad); a negation anywhere means no: "that is not
    correct" and "no es correcto" are no, though they hold "correct"."""
    keys = digits_only(digits)
    if keys:
        return YES_NO_KEYS.get(keys)
    said = words(speech)
    plain = " ".join(said)
    if _matches(plain, UNSURE):
        return None
    if any(word in NEGATIONS for word in said):
        return "no"
    if any(word in AFFIRMATIONS for word in said) or _matches(plain, AGREEING):
        return "yes"
    whole = _whole_number(said)
    return YES_NO_KEYS.get(whole or "")


# --- menus ---------------------------------------------------------------------------------------
# Words around a spoken option number that leave it the whole answer: "option two", "el número tres".
FILLERS = {
    "um", "uh", "umm", "hmm", "er", "ah", "oh", "the", "a", "an", "option", "number", "press", "pressing", "i",
    "want", "would", "like", "need", "choose", "select", "pick", "please", "it", "s", "its", "is", "that", "ok",
    "okay", "lets", "let", "me", "go", "with", "el", "la", "lo", "opcion", "numero", "oprimo", "oprimir",
    "marco", "marcar", "quiero", "quisiera", "necesito", "por", "favor", "este", "pues", "eh", "mm", "elijo",
    "escojo", "es", "de",
}  # fmt: skip


def _whole_number(said: list[str]) -> str | None:
    """The one number a whole answer is ("two", "option two", "el tres"), else None."""
    rest = [word for word in said if word not in FILLERS or word in UNITS]
    if not rest or len(rest) > 2:
        return None
    groups = _digit_groups(rest)
    spoken = "".join(groups)
    numeric = all(
        word.isdigit() or word in UNITS or word in TEENS or word in TENS or word in SOUNDS_LIKE for word in rest
    )
    return spoken if numeric and len(groups) == 1 and spoken else None


# What a caller may say for an option, by menu: the prompts' own words first, then how people put it.
# "0" (a representative), "9" (the main menu), "*" (back) and "repeat" are the same in every menu.
EVERY_MENU = {
    "en": {
        "0": [
            "representative", "agent", "operator", "person", "someone", "somebody", "human", "live person",
            "real person", "customer service", "talk to somebody", "speak to someone", "supervisor", "officer",
            "talk to someone", "talk to a person", "speak to a person", "speak with someone", "talk with someone",
        ],
        "9": ["main menu", "start over", "start again", "beginning", "home menu", "first menu"],
        "*": ["go back", "back", "previous", "previous menu", "last menu"],
        "repeat": [
            "repeat", "again", "say that again", "what", "pardon", "come again", "one more time", "didn t catch",
            "didn t hear",
        ],
    },
    "es": {
        "0": [
            "representante", "agente", "operador", "operadora", "persona", "alguien", "humano", "una persona",
            "servicio al cliente", "supervisor", "oficial", "hablar con alguien",
        ],
        "9": ["menu principal", "inicio", "al principio", "empezar de nuevo", "comenzar de nuevo", "menu inicial"],
        "*": ["atras", "regresar", "volver", "anterior", "menu anterior"],
        "repeat": [
            "repetir", "repita", "repitalo", "repite", "repitame", "repiteme", "repetirlo", "otra vez", "de nuevo",
            "como", "que dijo", "perdon",
        ],
    },
}  # fmt: skip
MENU_WORDS: dict[str, dict[str, dict[str, list[str]]]] = {
    "main": {
        "en": {
            "1": ["case status", "status", "my case", "case", "application", "check on"],
            "2": ["form", "forms", "fee", "fees", "how much", "cost", "order"],
            "3": ["processing", "processing time", "processing times", "how long", "takes", "take so long"],
            "4": ["office", "field office", "offices", "nearest office", "local office"],
            "5": ["civil surgeon", "doctor", "medical", "surgeon", "medical exam", "physician"],
            "6": ["priority", "visa bulletin", "priority date", "priority dates", "bulletin", "visa"],
        },
        "es": {
            "1": ["estado", "estado del caso", "mi caso", "caso", "como va", "solicitud"],
            "2": [
                "formulario", "formularios", "forma", "formas", "tarifa", "tarifas", "cuanto cuesta", "costo", "pedir",
            ],
            "3": ["procesamiento", "tiempo", "tiempos", "cuanto tiempo", "tardan", "demora", "tarda"],
            "4": ["oficina", "oficinas", "oficina local", "oficinas locales"],
            "5": ["medico", "medico civil", "doctor", "examen medico", "cirujano civil"],
            "6": ["prioridad", "boletin", "visa", "visas", "fecha de prioridad", "fechas de prioridad"],
        },
    },
    "case_next": {
        "en": {
            "1": [
                "another", "another case", "another receipt", "other case", "different case", "one more case",
                "my wife", "my husband", "my son", "my daughter", "my mother", "my father", "my spouse",
            ],
            "2": ["processing time", "how long", "processing", "take", "time"],
            "3": ["service request", "my request", "request status", "s r"],
            "4": ["text me", "updates", "status updates", "notify me", "let me know", "subscribe"],
        },
        "es": {
            "1": [
                "otro", "otro numero", "otro recibo", "otro caso", "otra solicitud", "mi esposa", "mi esposo",
                "mi hijo", "mi hija", "mi mama", "mi papa",
            ],
            "2": ["tiempo", "tiempo de procesamiento", "cuanto tiempo", "tardar", "tarda", "procesamiento"],
            "3": ["solicitud de servicio", "estado de la solicitud", "mi solicitud de servicio"],
            "4": ["avisos", "avisarme", "mandeme un mensaje", "notificarme", "suscribirme", "cuando cambie"],
        },
    },
    "form_menu": {
        "en": {
            "1": ["text", "text message", "link", "phone", "message", "sms"],
            "2": ["mail", "mailed", "by mail", "post", "address", "home"],
            "3": ["another form", "another", "different form", "other form"],
            "4": ["another number", "other number", "different number", "another phone", "different phone"],
        },
        "es": {
            "1": ["texto", "mensaje", "mensaje de texto", "enlace", "celular", "telefono"],
            "2": ["correo", "por correo", "direccion", "casa"],
            "3": ["otro formulario", "otro", "formulario diferente"],
            "4": ["otro numero", "otro telefono", "numero diferente", "otro celular"],
        },
    },
    "results_menu": {
        "en": {
            "1": ["hear this again", "again", "read", "hear"],
            "2": ["text", "text message", "message", "phone", "send"],
            "3": ["another zip", "zip", "zip code", "another", "different"],
            "4": ["another number", "other number", "different number", "another phone", "different phone"],
        },
        "es": {
            "1": ["escuchar", "otra vez", "escuchar esto otra vez"],
            "2": ["texto", "mensaje", "mensaje de texto", "envie", "enviar", "mandar", "mande", "mandemelo", "celular"],
            "3": ["otro codigo", "codigo postal", "otro", "zip"],
            "4": ["otro numero", "otro telefono", "numero diferente", "otro celular"],
        },
    },
    "ptime_intro": {
        "en": {
            "1": ["form", "a form", "for a form", "how long does", "how long is"],
            "2": ["outside", "my case", "case", "too long", "late", "taking"],
            "3": ["priority", "priority date", "priority dates", "visa bulletin", "bulletin", "visa"],
        },
        "es": {
            "1": ["formulario", "un formulario"],
            "2": ["fuera", "mi caso", "caso", "demasiado", "atrasado"],
            "3": ["prioridad", "fecha de prioridad", "fechas de prioridad", "boletin", "boletin de visas", "visa"],
        },
    },
    "ptime_menu": {
        "en": {
            "1": ["specific case", "case", "my case", "receipt"],
            "2": ["another form", "another", "other form", "different form", "different"],
        },
        "es": {"1": ["caso", "mi caso", "caso especifico", "recibo"], "2": ["otro formulario", "otro"]},
    },
    "outside_menu": {
        "en": {"0": ["service request", "request", "yes"]},
        "es": {"0": ["solicitud", "solicitud de servicio", "si"]},
    },
    "pd_group": {
        "en": {
            "1": [
                "family", "relative", "sponsored by family", "brother", "sister", "spouse", "wife", "husband",
                "parent", "mother", "father", "son", "daughter",
            ],
            "2": ["employment", "employer", "job", "work", "company"],
        },
        "es": {
            "1": [
                "familia", "familiar", "familiares", "hermano", "hermana", "esposo", "esposa", "padre", "madre",
                "hijo", "hija", "pariente",
            ],
            "2": ["empleo", "trabajo", "empleador", "empresa", "patron"],
        },
    },
    "pd_menu": {
        "en": {"1": ["another category", "another", "other category", "different category"]},
        "es": {"1": ["otra categoria", "otra", "categoria diferente"]},
    },
    "after_hours": {
        "en": {
            "1": ["call me back", "callback", "call back", "call me"],
            "2": ["another number", "other number", "different number", "another phone", "my cell"],
        },
        "es": {
            "1": ["devuelva la llamada", "devolver la llamada", "me llamen", "llamenme", "me llame", "devuelvan"],
            "2": ["otro numero", "otro telefono", "numero diferente", "mi celular"],
        },
    },
}  # fmt: skip


def everywhere_choice(speech: str, language: str) -> str | None:
    """ "0", "9", "*" or "repeat" when that is what was said (at a step that asked for something else)."""
    plain = " ".join(words(speech))
    every = EVERY_MENU.get(language, EVERY_MENU["en"])
    if not plain:
        return None
    if _matches(plain, every["0"]):
        return "0"
    best = max(("9", "*", "repeat"), key=lambda key: _matches(plain, every[key]))
    return best if _matches(plain, every[best]) else None


def _matches(plain: str, phrases: Iterable[str]) -> int:
    """The length of the longest phrase found (whole words) in `plain`, 0 if none."""
    return max((len(phrase) for phrase in phrases if re.search(rf"\b{re.escape(phrase)}\b", plain)), default=0)


# "#" repeats what was just said, in every menu ("*" is back; in entry steps "#" ends the entry).
REPEAT_KEY = "#"
# A menu whose own option is one of the intents every menu has ("hear this again" is a repeat).
SAME_AS = {"results_menu": {"repeat": "1"}}
# A form named ("the I-765") picks the option about a form.
NAMES_A_FORM = re.compile(r"\b[in] ?\d{2,3}\b")
FORM_OPTION = {"ptime_intro": "1"}


def menu_choice(digits: str, speech: str, language: str, allowed: str, menu: str = "main") -> str | None:
    """The option a caller picked by key or by voice: a key of `allowed`, "0", "9", "*" or "repeat".

    Intent first: words of this menu's options (and a representative, the main menu, back, repeat);
    a spoken number chooses an option only when it is the whole answer ("two", "option two"), so
    "un representante" is a representative and "calling for my case" is case status."""
    allowed = allowed + "09*"
    keys = (digits or "").strip()
    if keys == REPEAT_KEY:
        return "repeat"
    if keys:
        return keys if len(keys) == 1 and keys in allowed else None
    said = words(speech)
    if not said:
        return None
    plain = " ".join(said)
    language = language if language in EVERY_MENU else "en"
    every = EVERY_MENU[language]
    if menu in FORM_OPTION and NAMES_A_FORM.search(plain):
        return FORM_OPTION[menu]
    options = {key: phrases for key, phrases in MENU_WORDS.get(menu, {}).get(language, {}).items() if key in allowed}
    for key in EVERY_MENU["en"]:
        options[key] = [*options.get(key, []), *every[key]]
    # The longest phrase heard wins; asking for a person wins a tie ("talk to someone about my case").
    best = max(options, key=lambda key: (_matches(plain, options[key]), key == "0"))
    if _matches(plain, options[best]):
        return SAME_AS.get(menu, {}).get(best, best)
    whole = _whole_number(said)
    return whole if whole and len(whole) == 1 and whole in allowed else None


# The options of each menu (besides 0, 9, * and repeat, which every menu has).
MENU_KEYS = {
    "main": "123456",
    "case_next": "1234",
    "form_menu": "1234",
    "results_menu": "1234",
    "ptime_intro": "123",
    "ptime_menu": "12",
    "outside_menu": "",
    "pd_group": "12",
    "pd_menu": "1",
    "after_hours": "12",
}


LANGUAGE_KEYS = {"1": "en", "2": "es"}
TTY_KEY = "7"
TTY_WORDS = {"tty", "relay", "relevo", "teletipo", "teletype", "tdd"}


def tty_choice(digits: str, speech: str) -> bool:
    """The relay or TTY option of the first question: 7, or a relay operator asking for it."""
    keys = digits_only(digits)
    if keys:
        return keys == TTY_KEY
    said = words(speech)
    return any(word in TTY_WORDS for word in said) or " ".join(said) in ("t t y", "t d d")


def language_choice(digits: str, speech: str) -> str | None:
    """ "en" or "es" at the first question: 1 or 2, or the language named (in either language)."""
    keys = digits_only(digits)
    if keys:
        return LANGUAGE_KEYS.get(keys)
    said = words(speech)
    if any(word in ("espanol", "spanish", "castellano") for word in said):
        return "es"
    if any(word in ("english", "ingles") for word in said):
        return "en"
    return LANGUAGE_KEYS.get(_whole_number(said) or "")


def phone_from_speech(text: str) -> str | None:
    """A 10-digit U.S. number said ("two one three, five five five, zero one four two"); a leading 1 allowed."""
    said = words(text)
    digits = _digits_of_length(said, 10) or _digits_of_length(said, 11)
    if digits and len(digits) == 11:
        digits = digits[1:] if digits.startswith("1") else None
    return digits
