"""Playback driven by hand through FakeOutput: the test is the audio thread.

Recordings are real files (float WAV, so samples come back exactly); the agent
speaks a 440 Hz tone on the left channel and the customer a 1 kHz tone at
half the level on the right, so every output frame can be checked.
"""

from __future__ import annotations

import gc
import threading

import numpy as np
import pytest
import soundfile as sf

from qa_desk.audio.outputs import FakeOutput
from qa_desk.audio.playback import CROSSFEED, Player

RATE = 8000
STEREO = {"0": "agent", "1": "customer"}


def two_sided(seconds: float = 3.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    agent = 0.4 * np.sin(2 * np.pi * 440 * t)
    customer = 0.2 * np.sin(2 * np.pi * 1000 * t)
    return np.stack([agent, customer], axis=1).astype(np.float32)


@pytest.fixture
def call(tmp_path):
    path = tmp_path / "call.wav"
    signal = two_sided()
    sf.write(path, signal, RATE, subtype="FLOAT")
    return path, signal


@pytest.fixture
def open_player():
    players = []

    def make(path, channel_map=STEREO, **fake):
        output = FakeOutput(**fake)
        player = Player(path, channel_map, output=output)
        players.append(player)
        return player, output

    yield make
    for player in players:
        player.close()


def pull(player, output, frames, block=256):
    """Pull ``frames`` in callbacks of ``block``, letting the feeder keep up."""
    got = []
    while frames > 0:
        n = min(block, frames)
        assert player.wait_buffered(n / output.rate)
        got.append(output.pull(n))
        frames -= n
    return np.concatenate(got)


def heard_both(signal):
    agent, customer = signal[:, 0], signal[:, 1]
    return np.stack([agent + CROSSFEED * customer, CROSSFEED * agent + customer], axis=1)


def test_position_and_content_at_normal_speed(call, open_player):
    path, signal = call
    player, output = open_player(path)
    assert (player.duration, player.rate, player.state, player.position()) == (3.0, RATE, "stopped", 0.0)
    player.play()
    assert player.state == "playing" and output.rate == RATE and output.channels == 2
    got = pull(player, output, 4000, block=300)
    assert player.position() == pytest.approx(0.5, abs=1e-9)
    np.testing.assert_allclose(got, heard_both(signal[:4000]), atol=1e-6)


@pytest.mark.parametrize("speed", [0.5, 0.75, 1.5, 2.0])
def test_position_advances_at_speed_times_call_time(call, open_player, speed):
    path, _ = call
    player, output = open_player(path)
    player.set_speed(speed)
    player.play()
    pull(player, output, 4000)
    assert player.position() == pytest.approx(4000 * speed / RATE, abs=1e-9)
    assert player.speed == speed


@pytest.mark.parametrize("rates", [None, {48000}], ids=["native", "resampled"])
@pytest.mark.parametrize("speed", [0.5, 1.5, 2.0])
def test_stretched_audio_is_where_the_playhead_says(tmp_path, open_player, speed, rates):
    # Silence, then the agent starts speaking at exactly 1.000 s: when the tone
    # comes out of the speaker, the playhead must read 1.0 s at any speed.
    t = np.arange(2 * RATE) / RATE
    signal = np.zeros((2 * RATE, 2), np.float32)
    signal[RATE:, 0] = 0.5 * np.sin(2 * np.pi * 300 * t[RATE:])
    path = tmp_path / "onset.wav"
    sf.write(path, signal, RATE, subtype="FLOAT")
    player, output = open_player(path, rates=rates)
    player.set_speed(speed)
    player.set_listen("agent")
    player.play()
    onset = None
    while onset is None:
        assert player.wait_buffered(256 / output.rate)
        block = output.pull(256, advance=False)
        loud = np.flatnonzero(np.abs(block[:, 0]) > 0.05)
        onset = loud[0] if len(loud) else None
        output.advance((256 if onset is None else onset) / output.rate)  # stop the clock at the tone
    # Measured 4-14 ms late: WSOLA's window fades a frame in, and may shift it by ≤ 16 ms.
    assert player.position() == pytest.approx(1.0, abs=0.02)


def test_seek_while_playing_is_exact_and_plays_from_there(call, open_player):
    path, signal = call
    player, output = open_player(path)
    player.play()
    pull(player, output, 1000)
    player.seek(2.0)
    assert player.position() == 2.0 and player.state == "playing"
    got = pull(player, output, 800)
    assert player.position() == pytest.approx(2.1, abs=1e-9)
    np.testing.assert_allclose(got, heard_both(signal[16000:16800]), atol=1e-6)


def test_seek_while_paused_and_pause_holds_position(call, open_player):
    path, signal = call
    player, output = open_player(path)
    player.play()
    pull(player, output, 2400)
    player.pause()
    assert player.state == "paused" and not output.started
    assert player.position() == pytest.approx(0.3, abs=1e-9)
    output.advance(5.0)  # time passes while paused
    assert player.position() == pytest.approx(0.3, abs=1e-9)
    player.play()  # resumes exactly where the listener stopped hearing
    got = pull(player, output, 800)
    np.testing.assert_allclose(got, heard_both(signal[2400:3200]), atol=1e-6)
    player.pause()
    player.seek(1.25)
    assert (player.state, player.position()) == ("paused", 1.25)
    player.play()
    got = pull(player, output, 400)
    np.testing.assert_allclose(got, heard_both(signal[10000:10400]), atol=1e-6)
    assert player.position() == pytest.approx(1.3, abs=1e-9)


def test_pause_mid_block_resumes_at_the_frame_heard(call, open_player):
    path, signal = call
    player, output = open_player(path)
    player.play()
    player.wait_buffered(0.1)
    output.pull(800, advance=False)
    output.advance(300 / RATE)  # 300 of the 800 frames handed out have been heard
    player.pause()
    assert player.position() == pytest.approx(300 / RATE, abs=1e-9)
    player.play()
    got = pull(player, output, 100)
    np.testing.assert_allclose(got, heard_both(signal[300:400]), atol=1e-6)


def test_loop_wraps_exactly(call, open_player):
    path, signal = call
    player, output = open_player(path)
    player.set_listen("agent")
    player.play()
    pull(player, output, 400)
    player.set_loop(0.5, 0.7)  # the playhead is outside the span: it jumps to the span
    assert player.position() == 0.5 and player.loop == (0.5, 0.7)
    got = pull(player, output, 3 * 1600 + 700, block=300)
    span = signal[4000:5600, 0]
    np.testing.assert_allclose(got[:, 0], np.tile(span, 4)[:len(got)], atol=1e-6)
    np.testing.assert_allclose(got[:, 1], got[:, 0])
    assert player.position() == pytest.approx(0.5 + 700 / RATE, abs=1e-9)
    player.set_loop(None, None)  # plays on past the span's end from where it is
    pull(player, output, 1600)
    assert player.position() == pytest.approx(0.5 + 2300 / RATE, abs=1e-9)


def test_loop_at_speed_stays_in_the_span(call, open_player):
    path, _ = call
    player, output = open_player(path)
    player.set_loop(1.0, 1.5)
    player.set_speed(1.5)
    player.play()
    positions = []
    for _ in range(40):
        pull(player, output, 200)
        positions.append(player.position())
    assert all(1.0 <= p <= 1.5 for p in positions)
    assert sum(b < a for a, b in zip(positions, positions[1:])) >= 2  # wrapped at least twice


@pytest.mark.parametrize("who", ["agent", "customer", "both"])
def test_listen_to_one_side_or_both(call, open_player, who):
    path, signal = call
    player, output = open_player(path)
    player.set_listen(who)
    player.play()
    got = pull(player, output, 1600)
    agent, customer = signal[:1600, 0], signal[:1600, 1]
    expected = {"agent": np.stack([agent, agent], 1), "customer": np.stack([customer, customer], 1),
                "both": heard_both(signal[:1600])}[who]
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_agent_on_the_right_channel_still_plays_as_the_agent(call, open_player):
    path, signal = call
    player, output = open_player(path, {"0": "customer", "1": "agent"})
    player.set_listen("agent")
    player.play()
    got = pull(player, output, 400)
    np.testing.assert_allclose(got, np.repeat(signal[:400, 1:], 2, axis=1), atol=1e-6)


def test_listen_and_volume_change_at_the_next_block(call, open_player):
    path, signal = call
    player, output = open_player(path)
    player.play()
    pull(player, output, 800)
    player.set_listen("customer")
    player.set_volume(0.5)
    got = pull(player, output, 256)
    customer = signal[800:1056, 1]
    np.testing.assert_allclose(got, 0.5 * np.stack([customer, customer], 1), atol=1e-6)
    assert player.position() == pytest.approx(1056 / RATE, abs=1e-9)


def test_volume_scales_and_clips(call, open_player):
    path, signal = call
    player, output = open_player(path)
    player.set_volume(0.25)
    player.play()
    got = pull(player, output, 800)
    np.testing.assert_allclose(got, 0.25 * heard_both(signal[:800]), atol=1e-6)
    player.set_volume(9.0)  # clamped to 1.5; loud samples clip instead of wrapping
    assert player.volume == 1.5
    got = pull(player, output, 800)
    np.testing.assert_allclose(got, np.clip(1.5 * heard_both(signal[800:1600]), -1, 1), atol=1e-6)


def test_stall_advances_the_playhead_one_block_at_most(call, open_player):
    path, _ = call
    player, output = open_player(path)
    player.play()
    player.wait_buffered(0.1)
    output.pull(256, advance=False)
    assert player.position() == 0.0
    output.advance(5.0)  # no callback for 5 s (a stalled audio thread)
    assert player.position() == pytest.approx(256 / RATE, abs=1e-9)


def test_playhead_follows_the_speaker_not_the_callback(call, open_player):
    path, _ = call
    player, output = open_player(path, latency=0.2)  # the device buffers 200 ms
    player.play()
    for _ in range(10):
        pull(player, output, 160)
    # 0.2 s handed out; nothing has reached the speaker yet.
    assert player.position() == 0.0
    output.advance(0.15)
    assert player.position() == pytest.approx(0.15, abs=1e-9)


def test_position_is_monotonic_with_uneven_callbacks(call, open_player):
    path, _ = call
    player, output = open_player(path, latency=0.05)
    rng = np.random.default_rng(7)
    player.play()
    positions = []
    for _ in range(90):
        n = int(rng.integers(32, 400))
        assert player.wait_buffered(n / RATE)
        output.pull(n, advance=False)
        for part in rng.dirichlet(np.ones(3)) * n / RATE * rng.uniform(0.7, 1.3):
            output.advance(part)
            positions.append(player.position())
    assert all(b >= a for a, b in zip(positions, positions[1:]))
    assert positions[-1] > 1.0


def test_end_of_call_stops_at_the_end_then_plays_from_the_start(call, open_player):
    path, signal = call
    player, output = open_player(path)
    player.seek(2.9)
    player.play()
    got = pull(player, output, 1200, block=400)  # the last pull meets the end: the output stops after it
    np.testing.assert_allclose(got[:800], heard_both(signal[23200:]), atol=1e-6)
    assert not got[800:].any()  # silence after the last frame
    assert player.state == "stopped" and player.position() == 3.0 and player.last_error is None
    assert not output.started
    player.play()
    assert player.position() == 0.0 and player.state == "playing"


def watch_the_moment_it_stops(player) -> list:
    """What another thread (the UI's timer) would read the instant the state turns "stopped"."""
    seen = []
    stop = player._stop_output

    def observed_stop():
        stop()
        seen.append((player._queue.anchor() / player.rate, player._last_error))

    player._stop_output = observed_stop
    return seen


def test_stopped_is_never_seen_before_the_playhead_reaches_the_end(call, open_player):
    """The UI thread reads state and position without the player's lock: the feeder
    thread must move the playhead to the end before it turns the state to "stopped"
    (found on a loaded machine: "stopped" at 14.7 s of a 30 s call)."""
    path, _ = call
    player, output = open_player(path)
    seen = watch_the_moment_it_stops(player)
    player.seek(2.9)
    player.play()
    pull(player, output, 1200, block=400)
    assert player.state == "stopped"  # polling notices the end
    assert seen == [(3.0, None)]


def test_end_of_call_at_double_speed(call, open_player):
    path, _ = call
    player, output = open_player(path)
    player.seek(2.5)
    player.set_speed(2.0)
    player.play()
    pull(player, output, 2400, block=1200)  # 0.5 s of call is 2,000 frames at 2x
    assert player.state == "stopped" and player.position() == 3.0


def test_mono_recording_sounds_the_same_for_every_listen_choice(tmp_path, open_player):
    path = tmp_path / "mono.wav"
    signal = two_sided()[:, :1]
    sf.write(path, signal, RATE, subtype="FLOAT")
    player, output = open_player(path, {"0": "mixed"})
    assert not player.two_sided
    player.set_listen("customer")
    player.play()
    got = pull(player, output, 400)
    np.testing.assert_allclose(got, np.repeat(signal[:400], 2, axis=1), atol=1e-6)


def test_speed_change_while_playing_neither_skips_nor_repeats(call, open_player):
    path, signal = call
    player, output = open_player(path)
    player.play()
    pull(player, output, 1000)
    player.set_speed(0.5)
    pull(player, output, 1000)
    assert player.position() == pytest.approx((1000 + 500) / RATE, abs=1e-9)
    player.set_speed(1.0)
    got = pull(player, output, 300)
    np.testing.assert_allclose(got, heard_both(signal[1500:1800]), atol=1e-6)


def test_mp3_plays_on_the_waveforms_clock(tmp_path, open_player):
    from qa_desk.audio.decode import read_span, recording_info

    path = tmp_path / "call.mp3"
    sf.write(path, two_sided(2.0, 16000), 16000, format="MP3")
    player, output = open_player(path)
    assert player.frames == recording_info(path).frames
    player.set_listen("agent")
    player.seek(1.0)
    player.play()
    got = pull(player, output, 1600)
    np.testing.assert_allclose(got[:, 0], read_span(path, 16000, 17600)[0], atol=1e-6)
    assert player.position() == pytest.approx(1.1, abs=1e-9)


def test_close_leaves_no_thread_behind(call):
    path, _ = call
    before = set(threading.enumerate())
    output = FakeOutput()
    player = Player(path, STEREO, output=output)
    player.play()
    player.wait_buffered()
    player.close()
    player.close()  # twice is harmless
    assert set(threading.enumerate()) <= before
    assert not output.started and player.state == "stopped"
    with pytest.raises(RuntimeError):
        player.play()


def test_a_forgotten_player_does_not_keep_its_thread(call):
    path, _ = call
    player = Player(path, STEREO, output=FakeOutput())
    feeder = player._feeder
    del player
    gc.collect()
    feeder.join(timeout=2)
    assert not feeder.is_alive()


def test_unreadable_recording_fails_when_opened(tmp_path):
    from qa_desk.audio.decode import DecodeError

    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF" + b"\0" * 40)
    with pytest.raises(DecodeError):
        Player(path, STEREO, output=FakeOutput())
