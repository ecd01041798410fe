"""Probing and hashing real recordings written by soundfile and ffmpeg."""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess

import numpy as np
import pytest
import soundfile as sf

from qa_desk.audio.hashing import content_hash
from qa_desk.audio.probe import AUDIO_EXTENSIONS, AudioInfo, ProbeError, find_ffprobe, probe

NO_FFPROBE = "/nonexistent/ffprobe"
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                  reason="ffmpeg/ffprobe not installed")


def tone(seconds: float, rate: int, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return mono if channels == 1 else np.stack([mono] * channels, axis=1)


def write(path, seconds, rate, channels=1, **kwargs):
    sf.write(path, tone(seconds, rate, channels), rate, **kwargs)
    return path


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=3", *args],
                   check=True, timeout=60)


def failure(path, **kwargs) -> ProbeError:
    with pytest.raises(ProbeError) as caught:
        probe(path, **kwargs)
    assert caught.value.path.name == os.path.basename(path)
    assert str(caught.value).startswith(os.path.basename(path) + ": ")
    return caught.value


# name, soundfile format/subtype, rate, channels, expected container/codec, tolerance in frames
# (ADPCM and GSM round up to whole blocks, GSM 6.10 in WAV to a 320-sample pair of
# frames plus one; Opus to a 20 ms frame)
SOUNDFILE_CASES = [
    ("pcm.wav", "WAV", "PCM_16", 8000, 1, "WAV", "PCM_16", 1),
    ("ulaw.wav", "WAV", "ULAW", 8000, 1, "WAV", "ULAW", 1),
    ("alaw.wav", "WAV", "ALAW", 8000, 1, "WAV", "ALAW", 1),
    ("gsm.wav", "WAV", "GSM610", 8000, 1, "WAV", "GSM610", 640),
    ("ima.wav", "WAV", "IMA_ADPCM", 8000, 1, "WAV", "IMA_ADPCM", 505),
    ("ms.wav", "WAV", "MS_ADPCM", 8000, 1, "WAV", "MS_ADPCM", 500),
    ("stereo.flac", "FLAC", "PCM_16", 16000, 2, "FLAC", "FLAC", 1),
    ("call.ogg", "OGG", "VORBIS", 16000, 1, "OGG", "VORBIS", 1),
    ("call.opus", "OGG", "OPUS", 48000, 1, "OGG", "OPUS", 960),
]


@pytest.mark.parametrize("name,fmt,subtype,rate,channels,container,codec,tolerance", SOUNDFILE_CASES)
def test_soundfile_formats(tmp_path, name, fmt, subtype, rate, channels, container, codec, tolerance):
    path = write(tmp_path / name, 2.5, rate, channels, format=fmt, subtype=subtype)
    info = probe(path, ffprobe=NO_FFPROBE)  # none of these may need ffmpeg
    assert (info.format, info.codec, info.decoder) == (container, codec, "soundfile")
    assert (info.sample_rate, info.channels) == (rate, channels)
    assert abs(info.frames - int(2.5 * rate)) <= tolerance
    assert info.duration == pytest.approx(info.frames / rate)


def test_mp3_duration_within_a_fifth_of_a_second(tmp_path):
    path = write(tmp_path / "call.mp3", 4.0, 16000, format="MP3", subtype="MPEG_LAYER_III")
    info = probe(path, ffprobe=NO_FFPROBE)
    assert (info.format, info.codec, info.decoder, info.sample_rate) == ("MP3", "MPEG_LAYER_III", "soundfile", 16000)
    assert abs(info.duration - 4.0) < 0.2


def test_content_decides_not_the_extension(tmp_path):
    mp3 = write(tmp_path / "real.mp3", 2.0, 16000, format="MP3", subtype="MPEG_LAYER_III")
    wav = write(tmp_path / "real.wav", 2.0, 8000, format="WAV", subtype="PCM_16")
    shutil.copy(mp3, tmp_path / "mp3_named.wav")
    shutil.copy(wav, tmp_path / "wav_named.mp3")
    assert probe(tmp_path / "mp3_named.wav").format == "MP3"
    assert probe(tmp_path / "wav_named.mp3").format == "WAV"


def test_raw_gsm_file(tmp_path):
    path = write(tmp_path / "call.gsm", 2.0, 8000, format="RAW", subtype="GSM610")
    info = probe(path, ffprobe=NO_FFPROBE)
    assert (info.format, info.codec, info.sample_rate, info.frames) == ("GSM", "GSM610", 8000, 16000)
    noise = tmp_path / "noise.gsm"
    noise.write_bytes(np.random.default_rng(5).integers(0, 256, 3300, dtype=np.uint8).tobytes())
    assert failure(noise).reason == "not_audio"


def test_streaming_wav_header_reads_whole_file(tmp_path):
    # Some recorders never rewrite the data size; they leave 0xFFFFFFFF.
    data = bytearray(write(tmp_path / "a.wav", 2.0, 8000, subtype="PCM_16").read_bytes())
    data[data.find(b"data") + 4:data.find(b"data") + 8] = struct.pack("<I", 0xFFFFFFFF)
    (tmp_path / "streamed.wav").write_bytes(data)
    assert probe(tmp_path / "streamed.wav").frames == 16000


@needs_ffmpeg
def test_m4a_aac_through_ffprobe(tmp_path):
    path = tmp_path / "call_01.m4a"
    ffmpeg("-ac", "1", "-ar", "16000", "-c:a", "aac", str(path))
    info = probe(path)
    assert (info.format, info.codec, info.decoder) == ("M4A", "aac", "ffmpeg")
    assert (info.sample_rate, info.channels) == (16000, 1)
    assert abs(info.duration - 3.0) <= 1024 / 16000  # one AAC frame
    assert info.frames == round(info.duration * 16000)


def amr_file(path, frames=150):
    # AMR-NB storage format: magic, then 12.2 kbit/s frames of 20 ms (one
    # header byte 0x3C + 31 payload bytes). No AMR encoder is needed.
    rng = np.random.default_rng(1)
    body = b"".join(b"\x3c" + rng.integers(0, 256, 31, dtype=np.uint8).tobytes() for _ in range(frames))
    path.write_bytes(b"#!AMR\n" + body)
    return path


@needs_ffmpeg
def test_amr_through_ffprobe(tmp_path):
    info = probe(amr_file(tmp_path / "call.amr"))
    assert (info.format, info.codec, info.sample_rate, info.decoder) == ("AMR", "amr_nb", 8000, "ffmpeg")
    assert abs(info.duration - 3.0) < 0.2


def test_m4a_without_ffmpeg_says_to_install_it(tmp_path):
    path = tmp_path / "call_01.m4a"
    path.write_bytes(b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00M4A isom" + bytes(200))
    error = failure(path, ffprobe=NO_FFPROBE)
    assert error.reason == "needs_ffmpeg"
    assert "M4A/AAC recordings need ffmpeg" in str(error)
    assert "install" in str(error)


def test_amr_renamed_wav_without_ffmpeg(tmp_path):
    error = failure(amr_file(tmp_path / "odd_name.wav"), ffprobe=NO_FFPROBE)
    assert error.reason == "needs_ffmpeg"
    assert "AMR recordings need ffmpeg" in str(error)


def test_ffprobe_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_DESK_FFPROBE", NO_FFPROBE)
    assert find_ffprobe() == NO_FFPROBE
    path = tmp_path / "call.wma"
    path.write_bytes(bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c") + bytes(200))
    error = failure(path)
    assert error.reason == "needs_ffmpeg" and "WMA" in str(error)


def test_empty_file(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    error = failure(tmp_path / "empty.wav")
    assert error.reason == "empty" and "0 bytes" in str(error)


@pytest.mark.parametrize("text", ["call notes: customer asked about billing\n" * 20,
                                  "坐席,客户号码\n张三,13800138000\n"])
def test_text_renamed_wav(tmp_path, text):
    path = tmp_path / "notes.wav"
    path.write_bytes(text.encode("gbk"))
    error = failure(path)
    assert error.reason == "not_audio"
    assert "not an audio recording" in str(error) and "text" in str(error)


def test_pdf_renamed_wav_says_what_it_is(tmp_path):
    (tmp_path / "report.wav").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(300))
    error = failure(tmp_path / "report.wav")
    assert error.reason == "not_audio" and "PDF" in str(error)


def test_random_bytes_mp3(tmp_path):
    noise = np.random.default_rng(7).integers(0, 256, 5000, dtype=np.uint8)
    noise[0] = 0x42  # not an MPEG sync byte, so the bytes say nothing about audio
    (tmp_path / "noise.mp3").write_bytes(noise.tobytes())
    assert failure(tmp_path / "noise.mp3").reason == "not_audio"


@pytest.mark.parametrize("keep", [30, 44, 1000])
def test_truncated_wav(tmp_path, keep):
    whole = write(tmp_path / "whole.wav", 2.0, 8000, subtype="PCM_16").read_bytes()
    (tmp_path / "cut.wav").write_bytes(whole[:keep])
    error = failure(tmp_path / "cut.wav")
    assert error.reason == "unreadable"
    if keep > 30:
        assert "truncated" in str(error) and "2.0 s" in str(error)


def test_wav_header_never_finished(tmp_path):
    data = bytearray(write(tmp_path / "a.wav", 2.0, 8000, subtype="PCM_16").read_bytes())
    data[data.find(b"data") + 4:data.find(b"data") + 8] = struct.pack("<I", 0)
    (tmp_path / "crashed.wav").write_bytes(data)
    error = failure(tmp_path / "crashed.wav")
    assert error.reason == "unreadable" and "never finished" in str(error)


def test_wav_with_no_frames(tmp_path):
    sf.write(tmp_path / "silent.wav", np.zeros(0, dtype=np.float32), 8000, subtype="PCM_16")
    assert failure(tmp_path / "silent.wav").reason == "zero_length"


def test_missing_file(tmp_path):
    error = failure(tmp_path / "gone.wav")
    assert error.reason == "missing"


def with_format_tag(wav: bytes, tag: int) -> bytes:
    data = bytearray(wav)
    at = data.find(b"fmt ") + 8
    data[at:at + 2] = struct.pack("<H", tag)
    return bytes(data)


def test_wav_with_unknown_codec(tmp_path):
    wav = write(tmp_path / "a.wav", 1.0, 8000, subtype="PCM_16").read_bytes()
    (tmp_path / "odd.wav").write_bytes(with_format_tag(wav, 0x1234))
    for ffprobe in (None, NO_FFPROBE):
        error = failure(tmp_path / "odd.wav", ffprobe=ffprobe)
        assert error.reason == "unsupported_codec" and "0x1234" in str(error)


@needs_ffmpeg
def test_wav_codec_only_ffmpeg_decodes(tmp_path):
    path = tmp_path / "g726.wav"
    ffmpeg("-ac", "1", "-ar", "8000", "-c:a", "adpcm_g726", str(path))
    info = probe(path)
    assert (info.format, info.codec, info.decoder) == ("WAV", "adpcm_g726", "ffmpeg")
    assert abs(info.duration - 3.0) < 0.05
    error = failure(path, ffprobe=NO_FFPROBE)
    assert error.reason == "unsupported_codec"
    assert "G.726" in str(error) and "ffmpeg" in str(error)


def test_audio_extensions():
    assert {".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".amr", ".wma", ".gsm"} <= AUDIO_EXTENSIONS
    assert all(ext.startswith(".") and ext == ext.lower() for ext in AUDIO_EXTENSIONS)
    assert ".txt" not in AUDIO_EXTENSIONS and ".csv" not in AUDIO_EXTENSIONS


def test_audio_info_is_frozen(tmp_path):
    info = probe(write(tmp_path / "a.wav", 1.0, 8000, subtype="PCM_16"))
    assert isinstance(info, AudioInfo)
    with pytest.raises(AttributeError):
        info.frames = 1


# --- content hash ---------------------------------------------------------------

def test_content_hash_matches_sha256_across_block_boundaries(tmp_path):
    data = np.random.default_rng(3).integers(0, 256, 3 * 1024 * 1024 + 17, dtype=np.uint8).tobytes()
    (tmp_path / "big.wav").write_bytes(data)
    assert content_hash(tmp_path / "big.wav") == (hashlib.sha256(data).hexdigest(), len(data))


def test_content_hash_survives_rename_and_sees_changes(tmp_path):
    path = write(tmp_path / "agent_a.wav", 1.0, 8000, subtype="PCM_16")
    before = content_hash(path)
    renamed = path.rename(tmp_path / "renamed.wav")
    assert content_hash(str(renamed)) == before
    with open(renamed, "r+b") as file:
        file.seek(100)
        flipped = file.read(1)[0] ^ 0xFF
        file.seek(100)
        file.write(bytes([flipped]))
    assert content_hash(renamed)[0] != before[0]


def test_content_hash_of_empty_file(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    assert content_hash(tmp_path / "empty.wav") == (hashlib.sha256(b"").hexdigest(), 0)
