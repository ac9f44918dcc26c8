"""What a caller keyed or said, turned into receipt numbers, ZIP codes, form numbers and choices."""

from __future__ import annotations

import itertools
import re
import unicodedata

from contactcenter.identifiers import RECEIPT_PREFIXES, RECEIPT_RE

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

DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "won": "1",
    "two": "2",
    "to": "2",
    "too": "2",
    "three": "3",
    "four": "4",
    "for": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "ate": "8",
    "nine": "9",
    "cero": "0",
    "uno": "1",
    "un": "1",
    "una": "1",
    "dos": "2",
    "tres": "3",
    "cuatro": "4",
    "cinco": "5",
    "seis": "6",
    "siete": "7",
    "ocho": "8",
    "nueve": "9",
}
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


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9 ]+", " ", text)


def digits_only(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def receipt_from_keys(digits: str) -> str | None:
    """13 keys (letters on the keypad + 10 digits) or 11 keys (prefix menu digit + 10 digits)."""
    digits = digits_only(digits)
    if len(digits) == 13 and digits[:3] in PREFIX_BY_KEYS:
        return PREFIX_BY_KEYS[digits[:3]] + digits[3:]
    if len(digits) == 11 and digits[0] in PREFIX_BY_MENU_DIGIT:
        return PREFIX_BY_MENU_DIGIT[digits[0]] + digits[1:]
    return None


def _speech_tokens(text: str) -> list[list[str]]:
    """Each spoken token as the characters it could stand for ("oh" → O or 0)."""
    plain = " " + _plain(text) + " "
    for phrase, letter in MULTIWORD_LETTERS.items():
        plain = plain.replace(f" {phrase} ", f" {letter.lower()} ")
    options: list[list[str]] = []
    for word in plain.split():
        if word.isdigit():
            options.extend([[ch] for ch in word])
            continue
        choices = []
        if word in LETTER_WORDS:
            choices.append(LETTER_WORDS[word])
        if word in DIGIT_WORDS:
            choices.append(DIGIT_WORDS[word])
        if not choices and re.fullmatch(r"[a-z]{3}\d*", word) and word[:3].upper() in RECEIPT_PREFIXES:
            options.extend([[ch] for ch in word.upper()])
            continue
        if choices:
            options.append(choices)
    return options


def receipt_from_speech(text: str) -> str | None:
    """ "E A C two one nine oh oh oh oh oh oh one" → EAC2190000001; None if no reading fits."""
    tokens = _speech_tokens(text)
    if not 13 <= len(tokens) <= 13:
        return None
    ambiguous = sum(1 for choice in tokens if len(choice) > 1)
    if ambiguous > 14:
        return None
    for reading in itertools.product(*tokens):
        candidate = "".join(reading)
        if RECEIPT_RE.match(candidate):
            return candidate
    return None


def number_from_speech(text: str) -> str:
    """Digits a caller said or keyed: "nine oh zero one two" → 90012."""
    out = []
    for choice in _speech_tokens(text):
        digit = next((ch for ch in choice if ch.isdigit()), None)
        if digit is not None:
            out.append(digit)
    return "".join(out)


def form_digits_from_speech(text: str) -> str:
    """ "I 485" / "I-four eighty-five" / "formulario N cuatrocientos" → the digits we can read."""
    plain = _plain(text)
    found = re.findall(r"\d+", plain)
    if found:
        return "".join(found)
    return number_from_speech(plain)


def spell_receipt(receipt: str, language: str) -> str:
    letters, digits = receipt[:3], receipt[3:]
    separator = ", "
    spoken_digits = " ".join(digits)
    return f"{' '.join(letters)}{separator}{spoken_digits}"


KEYWORDS = {
    "en": {
        "1": ["case status", "status", "my case", "case"],
        "2": ["form", "forms", "fee", "fees"],
        "3": ["office", "field office", "offices"],
        "4": ["civil surgeon", "doctor", "medical", "surgeon"],
        "5": ["processing", "processing time", "how long"],
        "6": ["priority", "visa bulletin", "priority date", "visa"],
        "0": ["representative", "agent", "operator", "person", "someone", "supervisor"],
        "9": ["repeat", "again", "menu"],
    },
    "es": {
        "1": ["estado", "estado del caso", "mi caso", "caso"],
        "2": ["formulario", "formularios", "tarifa", "tarifas"],
        "3": ["oficina", "oficinas"],
        "4": ["medico", "medico civil", "doctor"],
        "5": ["procesamiento", "tiempo", "tiempos"],
        "6": ["prioridad", "boletin", "visa", "visas"],
        "0": ["representante", "agente", "operador", "persona", "supervisor"],
        "9": ["repetir", "otra vez", "menu"],
    },
}


def menu_choice(digits: str, speech: str, language: str, allowed: str) -> str | None:
    """The option a caller picked by key or by voice (main menu words), if it is one offered."""
    digits = digits_only(digits)
    if digits:
        return digits[0] if digits[0] in allowed and len(digits) == 1 else None
    plain = _plain(speech)
    if not plain.strip():
        return None
    spoken = number_from_speech(plain)
    if len(spoken) == 1 and spoken in allowed:
        return spoken
    words = KEYWORDS.get(language, KEYWORDS["en"])
    best = None
    for option, phrases in words.items():
        if option not in allowed:
            continue
        for phrase in phrases:
            if re.search(rf"\b{re.escape(phrase)}\b", plain) and (best is None or len(phrase) > best[1]):
                best = (option, len(phrase))
    return best[0] if best else None
