"""Server-side speech (espeak-ng) and the chime, checked as real audio files."""

from __future__ import annotations

import io
import wave

import pytest

from visitday import voice
from visitday.words import call_phrase

needs_espeak = pytest.mark.skipif(
    voice.espeak_path() is None, reason="espeak-ng is not installed (apt-get install espeak-ng; .ci/run does)"
)


@pytest.fixture
def voice_dir(settings, tmp_path):
    settings.VOICE_CACHE_DIR = tmp_path / "voice"
    return settings.VOICE_CACHE_DIR


def frames_of(data: bytes) -> tuple[int, int]:
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getnframes(), wav.getframerate()


@needs_espeak
def test_espeak_speaks_a_call_as_a_valid_wav_of_some_length(voice_dir):
    path = voice.speech_wav(call_phrase(label="A-012", place="Loket 2"))
    assert path is not None and path.parent == voice_dir
    data = path.read_bytes()
    assert voice.is_wav(data)
    frames, rate = frames_of(data)
    # A sentence of a dozen words lasts seconds, not milliseconds.
    assert frames / rate > 1.5


@needs_espeak
def test_a_phrase_is_spoken_once_and_then_read_from_the_cache(voice_dir, settings):
    text = call_phrase(label="GIGI-007", place="Poli Gigi")
    first = voice.speech_wav(text)
    settings.ESPEAK_NG = "/nonexistent/espeak-ng"  # a second synthesis would now fail
    assert voice.speech_wav(text) == first
    assert [p.name for p in voice_dir.iterdir()] == [first.name]


@needs_espeak
def test_different_phrases_get_different_files(voice_dir):
    one = voice.speech_wav("Nomor antrean A satu, silakan menuju Loket satu")
    two = voice.speech_wav("Nomor antrean A dua, silakan menuju Loket satu")
    assert one != two and one.read_bytes() != two.read_bytes()


def test_without_espeak_there_is_no_audio_and_no_error(voice_dir, settings):
    settings.ESPEAK_NG = "/nonexistent/espeak-ng"
    assert voice.speech_wav("Nomor antrean A satu, silakan menuju Loket satu") is None
    assert not voice_dir.exists() or not any(voice_dir.iterdir())


def test_the_chime_is_a_short_valid_wav():
    data = voice.chime_wav()
    assert voice.is_wav(data)
    frames, rate = frames_of(data)
    assert 0.5 < frames / rate < 2.0


def test_a_truncated_or_streamed_wav_is_not_taken_for_audio():
    data = voice.chime_wav()
    assert not voice.is_wav(data[:1000])
    assert not voice.is_wav(b"")
    assert not voice.is_wav(b"RIFF" + (0x7FFFF000).to_bytes(4, "little") + data[8:])
