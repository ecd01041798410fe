"""Voice activity: tone bursts laid out on real files, found back within a frame."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from qa_desk.audio.vad import Segment, SpeechDetector, channel_activity, lanes_of, measure_activity, speech_segments
from qa_desk.jobs import JobContext

RATE = 8000
FRAME = 0.02
STEREO = {"0": "agent", "1": "customer"}


def db_to_amp(db: float) -> float:
    """Peak amplitude of a sine whose RMS is `db` dBFS."""
    return float(np.sqrt(2) * 10 ** (db / 20))


def layout(
    seconds: float, lanes: list[list[tuple[float, float]]], *, rate: int = RATE, levels=(-20.0, -23.0),
    noise_db: float | None = -68.0, syllables: bool = False, seed: int = 0,
) -> np.ndarray:
    """(frames, lanes) float32: a tone per lane during its (start, end) spans, a noise floor under all.

    Agent ~ -20 dBFS and customer ~ -23 dBFS over -68 dBFS line noise, as in the demo calls.
    With ``syllables`` each span is cut into 180 ms syllables with 60 ms pauses, like speech.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(round(seconds * rate))) / rate
    out = np.zeros((t.size, len(lanes)), dtype=np.float64)
    for lane, spans in enumerate(lanes):
        freq = 180 + 70 * lane
        for start, end in spans:
            a, b = int(round(start * rate)), int(round(end * rate))
            tone = db_to_amp(levels[lane % len(levels)]) * np.sin(2 * np.pi * freq * t[a:b])
            if syllables:
                tone *= ((t[a:b] - start) % 0.24) < 0.18
            out[a:b, lane] += tone
    if noise_db is not None:
        out += rng.normal(0.0, 10 ** (noise_db / 20), out.shape)
    return out.astype(np.float32)


def write(path, signal, rate=RATE, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, signal, rate, **kw)
    return path


def spans(segments: list[Segment]) -> list[tuple[float, float]]:
    return [(s.start, s.end) for s in segments]


def assert_spans(found: list[Segment], expected: list[tuple[float, float]], tol: float = FRAME + 1e-6):
    assert len(found) == len(expected), (spans(found), expected)
    for seg, (start, end) in zip(found, expected):
        assert seg.start == pytest.approx(start, abs=tol), (spans(found), expected)
        assert seg.end == pytest.approx(end, abs=tol), (spans(found), expected)


def test_tone_bursts_are_found_to_the_frame():
    signal = layout(8.0, [[(0.5, 3.0), (5.0, 6.0)]])[:, 0]
    found = speech_segments(signal, RATE)
    assert spans(found) == [(0.5, 3.0), (5.0, 6.0)]  # on frame boundaries: exact


def test_speech_from_the_first_sample_and_to_the_last():
    signal = layout(4.0, [[(0.0, 1.5), (3.0, 4.0)]])[:, 0]
    assert spans(speech_segments(signal, RATE)) == [(0.0, 1.5), (3.0, 4.0)]


def test_pauses_between_syllables_are_one_turn_but_a_pause_for_breath_is_not():
    signal = layout(6.0, [[(0.5, 2.5), (2.9, 4.0)]], syllables=True)[:, 0]
    # 60 ms syllable gaps are under the 200 ms hangover; the 400 ms pause is a new segment.
    assert spans(speech_segments(signal, RATE)) == [(0.5, 2.5), (2.9, 4.0)]


def test_clicks_shorter_than_min_speech_are_not_speech():
    signal = layout(3.0, [[(1.0, 1.06), (2.0, 2.5)]])[:, 0]
    assert spans(speech_segments(signal, RATE)) == [(2.0, 2.5)]
    assert spans(speech_segments(signal, RATE, min_speech_ms=40)) == [(1.0, 1.06), (2.0, 2.5)]


def test_noisy_line_and_quiet_speaker():
    # -45 dBFS line noise (a bad mobile line) under a speaker at -32 dBFS: 13 dB apart.
    signal = layout(10.0, [[(1.0, 4.0), (6.0, 9.0)]], levels=(-32.0,), noise_db=-45.0, syllables=True)[:, 0]
    assert_spans(speech_segments(signal, RATE), [(1.0, 4.0), (6.0, 9.0)], tol=2 * FRAME)


def test_digital_silence_and_dither_are_not_speech():
    assert speech_segments(np.zeros(RATE * 3, dtype=np.float32), RATE) == []
    dither = np.random.default_rng(1).normal(0, 10 ** (-90 / 20), RATE * 3)
    signal = layout(3.0, [[(1.0, 2.0)]], noise_db=None)[:, 0] + dither
    assert spans(speech_segments(signal, RATE)) == [(1.0, 2.0)]


def test_floor_follows_the_line_noise_when_it_gets_louder():
    signal = layout(40.0, [[(2.0, 4.0), (30.0, 33.0)]])[:, 0].astype(np.float64)
    # From 10 s on the line gets 20 dB noisier (the customer walks into the street).
    signal[10 * RATE:] += np.random.default_rng(3).normal(0, 10 ** (-48 / 20), 30 * RATE)
    found = speech_segments(signal, RATE)
    assert found[0] == Segment(2.0, 4.0)
    # The floor rises slowly through the step (a few seconds look like speech), then
    # the noise is noise again and the real speech stands out.
    assert all(s.end <= 20.0 for s in found[1:-1])
    assert found[-1].start == pytest.approx(30.0, abs=FRAME) and found[-1].end == pytest.approx(33.0, abs=FRAME)


def test_result_does_not_depend_on_the_block_size(tmp_path):
    signal = layout(12.0, [[(0.5, 3.0), (5.0, 6.0), (8.0, 11.5)], [(3.5, 6.0), (9.0, 9.6)]], syllables=True)
    path = write(tmp_path / "call.wav", signal)
    results = [measure_activity(path, STEREO, blocksize=size) for size in (997, 4096, 65536)]
    assert results[0] == results[1] == results[2]
    detector = SpeechDetector(RATE)
    for start in range(0, signal.shape[0], 333):
        detector.feed(signal[start:start + 333, 0])
    assert detector.segments() == results[0][0]["agent"]
    assert results[0][1] == pytest.approx(12.0)


def test_stereo_gives_one_lane_per_speaker(tmp_path):
    signal = layout(8.0, [[(0.5, 3.0), (5.0, 6.0)], [(3.5, 6.0)]])
    activity = channel_activity(write(tmp_path / "call.wav", signal), STEREO)
    assert spans(activity["agent"]) == [(0.5, 3.0), (5.0, 6.0)]
    assert spans(activity["customer"]) == [(3.5, 6.0)]
    # Agent on the right: the map, not the channel order, says who is who.
    swapped = channel_activity(tmp_path / "call.wav", {"0": "customer", "1": "agent"})
    assert swapped["customer"] == activity["agent"] and swapped["agent"] == activity["customer"]


def test_mono_and_stereo_declared_mixed_are_one_lane(tmp_path):
    mono = layout(6.0, [[(0.5, 2.0), (3.0, 5.0)]])
    assert spans(channel_activity(write(tmp_path / "mono.wav", mono), {"0": "mixed"})["mixed"]) == [(0.5, 2.0), (3.0, 5.0)]
    stereo = layout(6.0, [[(0.5, 2.0)], [(3.0, 5.0)]])
    activity = channel_activity(write(tmp_path / "mixed.wav", stereo), {"0": "mixed", "1": "mixed"})
    assert list(activity) == ["mixed"]
    assert_spans(activity["mixed"], [(0.5, 2.0), (3.0, 5.0)])


def test_lanes_follow_the_channel_map_as_the_waveform_reads_it():
    assert lanes_of({"1": "agent", "0": "customer"}, 2) == {"agent": [1], "customer": [0]}
    assert lanes_of({"0": "Agent", "1": "customer", "2": "other", "x": "agent"}, 3) == {
        "agent": [0], "customer": [1], "other": [2]}
    assert lanes_of({"5": "agent"}, 1) == {"mixed": [0]}  # a map that names no channel of the file


def test_progress_is_reported_up_to_the_end(tmp_path):
    path = write(tmp_path / "call.wav", layout(10.0, [[(0.5, 3.0)], [(4.0, 6.0)]]))
    seen = []
    ctx = JobContext(on_progress=lambda done, total: seen.append((done, total)), min_interval=0)
    measure_activity(path, STEREO, ctx=ctx, blocksize=8000)
    assert seen[-1] == (80000, 80000) and len(seen) >= 10


def test_mu_law_telephone_audio(tmp_path):
    signal = layout(8.0, [[(0.5, 3.0), (5.0, 6.0)], [(3.5, 6.0)]], syllables=True)
    pcm = channel_activity(write(tmp_path / "pcm.wav", signal, subtype="PCM_16"), STEREO)
    ulaw = channel_activity(write(tmp_path / "ulaw.wav", signal, subtype="ULAW"), STEREO)
    for who in ("agent", "customer"):
        assert_spans(ulaw[who], spans(pcm[who]))


def test_mp3_times_match_the_call_after_the_encoder_delay_is_trimmed(tmp_path):
    rate = 16000
    signal = layout(8.0, [[(0.5, 3.0), (5.0, 6.0)], [(3.5, 6.0)]], rate=rate, noise_db=-60.0)
    path = write(tmp_path / "call.mp3", signal, rate, format="MP3")
    activity = channel_activity(path, STEREO)
    # Lossy coding smears the edges a little; the ~0.1 s encoder padding must not shift them.
    assert_spans(activity["agent"], [(0.5, 3.0), (5.0, 6.0)], tol=0.045)
    assert_spans(activity["customer"], [(3.5, 6.0)], tol=0.045)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg to write an MP3 without a LAME tag")
@pytest.mark.parametrize("rate", [8000, 16000])
def test_mp3_without_a_lame_tag_keeps_call_time(tmp_path, rate):
    # Many recorders write constant-bit-rate MP3s with no Xing/LAME tag: the decoder
    # then hands back the encoder delay (~0.07-0.14 s) as audio unless it is trimmed.
    signal = layout(8.0, [[(0.5, 3.0), (5.0, 6.0)], [(3.5, 6.0)]], rate=rate, noise_db=-60.0)
    wav = write(tmp_path / "call.wav", signal, rate)
    bare = tmp_path / "bare.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-b:a", "32k", "-write_xing", "0", str(bare)], check=True)
    activity = channel_activity(bare, STEREO)
    assert_spans(activity["agent"], [(0.5, 3.0), (5.0, 6.0)], tol=0.045)
    assert_spans(activity["customer"], [(3.5, 6.0)], tol=0.045)


def test_the_demo_calls_match_their_script(samples):
    for call in samples["calls"]:
        activity = channel_activity(samples["folder"] / call["file"], STEREO)
        for who in ("agent", "customer"):
            scripted = [(s["start"], s["end"]) for s in call["segments"] if s["speaker"] == who]
            found = activity[who]
            # Every scripted line starts within three frames of a found segment…
            for start, end in scripted:
                assert any(abs(s.start - start) <= 3 * FRAME for s in found), (call["file"], who, start)
            # …and nothing is heard outside the script (the script's ends include the
            # TTS's silent tail, so found speech may end earlier but never later).
            for seg in found:
                assert any(start - 2 * FRAME <= seg.start and seg.end <= end + 2 * FRAME for start, end in scripted), (
                    call["file"], who, seg)


@pytest.fixture
def samples():
    import json

    from qa_desk.paths import resources_dir

    folder = resources_dir() / "samples"
    data = json.loads((folder / "transcripts.json").read_text(encoding="utf-8"))
    return {"folder": folder, "calls": data["calls"]}
