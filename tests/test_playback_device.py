"""What the player does with the audio device: refusals, absence, loss.

The first tests use FakeOutput playing a device that refuses rates, has one
channel, is missing, or is pulled out mid-call. The last ones play through
real PortAudio, on ALSA's null device (no sound card needed). PortAudio
reads ALSA's configuration once, when it initialises, so each case runs in a
subprocess whose HOME holds its own ``.asoundrc``. The null device takes
audio faster than real time, so a 2 s call plays in well under a second.
Skipped only when the PortAudio library itself cannot be loaded (Debian:
libportaudio2; quickstart.sh installs it on CI).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from test_playback import call, open_player, pull  # noqa: F401 (call and open_player are fixtures)

from qa_desk.audio.outputs import OutputError

REPO = Path(__file__).resolve().parents[1]
NULL_DEVICE = 'pcm.!default {type plug; slave.pcm "nullsink"}\npcm.nullsink {type null}\n'
MISSING_CARD = "pcm.!default {type hw; card 9}\nctl.!default {type hw; card 9}\n"

SCRIPT = r"""
import json, sys, threading, time
path, mode = sys.argv[1], sys.argv[2]
try:
    import sounddevice
except OSError as exc:
    print(json.dumps({"portaudio": str(exc)}))
    sys.exit(0)
from qa_desk.audio.playback import OutputError, Player

if mode == "no-devices":  # what query_devices() gives on a machine with no sound card
    sounddevice.query_devices = lambda *args, **kwargs: sounddevice.DeviceList()
player = Player(path, {"0": "agent", "1": "customer"})
result = {"duration": player.duration}
try:
    player.play()
except OutputError as exc:
    result.update(reason=exc.reason, error=str(exc), state=player.state, last_error=player.last_error)
else:
    positions, deadline = [], time.monotonic() + 30
    while player.state == "playing" and time.monotonic() < deadline:
        positions.append(player.position())
        time.sleep(0.001)
    result.update(positions=positions, final=player.position(), state=player.state,
                  last_error=player.last_error)
player.close()
result["threads"] = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
print(json.dumps(result))
"""


def test_device_refusing_the_calls_rate_gets_it_resampled(call, open_player):
    path, _ = call
    player, output = open_player(path, rates={48000})
    player.set_listen("agent")
    player.play()
    assert output.rate == 48000
    got = pull(player, output, 4800 * 3, block=1024)
    assert player.position() == pytest.approx(0.3, abs=1e-9)
    # Still the agent's 440 Hz: count zero crossings over the last 0.2 s.
    tail = got[4800:, 0]
    crossings = np.count_nonzero(np.diff(np.signbit(tail)))
    assert crossings / 2 / 0.2 == pytest.approx(440, rel=0.02)


def test_device_refusing_every_rate_is_a_clear_error(call, open_player):
    path, _ = call
    player, output = open_player(path, rates={11025})
    with pytest.raises(OutputError) as caught:
        player.play()
    assert caught.value.reason == "rate" and "8000 Hz" in str(caught.value)
    assert player.state == "stopped" and player.last_error == str(caught.value)


def test_mono_only_device_hears_both_sides(call, open_player):
    path, signal = call
    player, output = open_player(path, channels={1})
    player.play()
    assert output.channels == 1
    got = pull(player, output, 400)
    np.testing.assert_allclose(got[:, 0], signal[:400, 0] + signal[:400, 1], atol=1e-6)


def test_no_device_is_a_clear_error(call, open_player):
    path, _ = call
    player, output = open_player(path, no_device=True)
    with pytest.raises(OutputError) as caught:
        player.play()
    assert caught.value.reason == "no-device" and "No audio output device" in str(caught.value)
    assert player.state == "stopped" and player.last_error.startswith("No audio output device")
    assert player.position() == 0.0


def test_device_disappearing_mid_call_stops_with_a_message(call, open_player):
    from test_playback import watch_the_moment_it_stops

    path, _ = call
    player, output = open_player(path)
    seen = watch_the_moment_it_stops(player)
    player.play()
    pull(player, output, 1600)
    output.disconnect()
    assert player.state == "stopped"
    assert "disconnected" in player.last_error
    assert player.position() == pytest.approx(0.2, abs=1e-9)
    # the error and the held position were in place the moment "stopped" could be seen
    assert len(seen) == 1 and seen[0][0] == pytest.approx(0.2, abs=1e-9) and "disconnected" in seen[0][1]
    output.no_device = True
    with pytest.raises(OutputError):
        player.play()
    assert player.position() == pytest.approx(0.2, abs=1e-9)


CALL_SECONDS = 30.0


def run_player(tmp_path, asoundrc: str | None, mode: str = "play") -> dict:
    home = tmp_path / f"home-{mode}"
    home.mkdir()
    if asoundrc is not None:
        (home / ".asoundrc").write_text(asoundrc)
    recording = tmp_path / "call.wav"
    if not recording.exists():
        # 30 s, not 2: the null device plays far faster than real time, and the
        # poll below must catch the playhead between start and end.
        t = np.arange(CALL_SECONDS * 8000) / 8000
        sides = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.3 * np.sin(2 * np.pi * 660 * t)], 1)
        sf.write(recording, sides, 8000, subtype="PCM_16")
    env = dict(os.environ, HOME=str(home), PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(recording), mode], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if "portaudio" in result:
        pytest.skip(f"PortAudio cannot be loaded: {result['portaudio']}")
    return result


def test_a_call_plays_to_the_end_on_a_real_stream(tmp_path):
    result = run_player(tmp_path, NULL_DEVICE)
    assert result["last_error"] is None
    assert result["state"] == "stopped"
    assert result["final"] == result["duration"] == CALL_SECONDS
    positions = result["positions"]
    assert positions, "the player never reported playing"
    assert all(b >= a for a, b in zip(positions, positions[1:])), "the playhead went backwards"
    assert any(0.0 < p < CALL_SECONDS for p in positions), "the playhead never moved through the call"
    assert result["threads"] == []


def test_a_missing_sound_card_is_a_clear_error(tmp_path):
    result = run_player(tmp_path, MISSING_CARD)
    if "reason" not in result:  # PortAudio fell back to a real card (ALSA lists hw cards regardless)
        pytest.skip("this machine has a sound card PortAudio uses instead of the missing one")
    assert result["reason"] in ("no-device", "failed")
    assert "audio" in result["error"].lower() and "device" in result["error"].lower()
    assert result["state"] == "stopped" and result["last_error"] == result["error"]
    assert result["threads"] == []


def test_no_devices_at_all_is_a_clear_error(tmp_path):
    result = run_player(tmp_path, NULL_DEVICE, mode="no-devices")
    assert result["reason"] == "no-device"
    assert result["error"].startswith("No audio output device was found")
    assert result["state"] == "stopped"
