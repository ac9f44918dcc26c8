"""Writes hold-music.wav, what callers hear while they wait in line or on hold: a slow, soft
C–Am–F–G progression (sine pads) under a plucked arpeggio, four times round, 51.2 s, faded in and
out so the loop does not click. 8 kHz mono 16-bit, the telephone's own rate (Twilio plays it as is),
about 800 KB; every note between 260 Hz and 1.1 kHz, inside the telephone band. Made here, not
downloaded, so it is ours to play:

    .venv/bin/python static/audio/make_hold_music.py

The queue's wait message (ivr.views.queue_wait) says the caller's place and wait, then plays this
once: the place comes round about every minute.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 8000
BEAT = 0.8  # seconds: 75 beats a minute, unhurried
BAR = 4 * BEAT
ROUNDS = 4
VOLUME = 0.3  # of full scale: background, never louder than the voice that interrupts it
# Chord tones (MIDI notes) of C, A minor, F and G, voiced between C4 and C5.
CHORDS = [(60, 64, 67), (60, 64, 69), (60, 65, 69), (62, 67, 71)]
# The arpeggio of each round, as indexes into the bar's chord one octave up.
PATTERNS = [(0, 1, 2, 1), (2, 1, 0, 1), (0, 2, 1, 2), (1, 2, 0, 2)]


def _hz(note: int) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _add_pad(samples: list[float], start: float, seconds: float, chord: tuple[int, ...]) -> None:
    first, count = int(start * RATE), int(seconds * RATE)
    swell = 0.6 * RATE  # slow attack and release: the chords breathe into each other
    for note in chord:
        step = 2 * math.pi * _hz(note) / RATE
        for n in range(count):
            envelope = min(1.0, n / swell, (count - n) / swell)
            samples[first + n] += 0.12 * envelope * math.sin(step * n)


def _add_pluck(samples: list[float], start: float, note: int) -> None:
    first, count = int(start * RATE), int(2 * BEAT * RATE)
    step = 2 * math.pi * _hz(note) / RATE
    for n in range(min(count, len(samples) - first)):
        t = n / RATE
        envelope = min(1.0, n / 40) * math.exp(-2.5 * t)  # 5 ms attack, then it rings away
        samples[first + n] += 0.3 * envelope * (math.sin(step * n) + 0.25 * math.sin(2 * step * n))


def render() -> list[int]:
    seconds = ROUNDS * len(CHORDS) * BAR
    samples = [0.0] * int(seconds * RATE)
    for round_ in range(ROUNDS):
        for index, chord in enumerate(CHORDS):
            start = (round_ * len(CHORDS) + index) * BAR
            _add_pad(samples, start, BAR + (0.3 if start + BAR < seconds else 0.0), chord)
            for beat, tone in enumerate(PATTERNS[round_]):
                _add_pluck(samples, start + beat * BEAT, chord[tone] + 12)
    peak = max(abs(value) for value in samples)
    fade_in, fade_out = RATE * 1, RATE * 2
    total = len(samples)
    return [
        int(32767 * VOLUME * min(1.0, n / fade_in, (total - n) / fade_out) * value / peak)
        for n, value in enumerate(samples)
    ]


def main() -> None:
    samples = render()
    path = Path(__file__).with_name("hold-music.wav")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    print(f"wrote {path} ({path.stat().st_size} bytes, {len(samples) / RATE:.1f} s)")


if __name__ == "__main__":
    main()
