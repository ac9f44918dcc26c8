"""Writes ring.wav, the console's ring for an offered call: two bursts of the North American ring
(440 Hz + 480 Hz together) of 0.4 s with 0.2 s between, then 0.8 s of silence, 8 kHz mono 16-bit —
about 30 KB; the console loops it while an offer stands. Made here, not downloaded:

    .venv/bin/python static/audio/make_ring.py
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 8000
VOLUME = 0.35  # of full scale: a ring, not an alarm


def _tone(seconds: float) -> list[int]:
    samples = []
    total = int(RATE * seconds)
    fade = int(RATE * 0.01)  # 10 ms in and out, so the bursts do not click
    for n in range(total):
        envelope = min(1.0, n / fade, (total - n) / fade)
        value = 0.5 * (math.sin(2 * math.pi * 440 * n / RATE) + math.sin(2 * math.pi * 480 * n / RATE))
        samples.append(int(32767 * VOLUME * envelope * value))
    return samples


def _silence(seconds: float) -> list[int]:
    return [0] * int(RATE * seconds)


def main() -> None:
    samples = _tone(0.4) + _silence(0.2) + _tone(0.4) + _silence(0.8)
    path = Path(__file__).with_name("ring.wav")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
