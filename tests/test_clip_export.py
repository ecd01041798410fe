"""Exporting clips and playlists from real recordings: the number a caller reads out is
silenced (or beeped) at exactly its time in the exported audio and masked in the SRT,
whose times count from the audio file's first sample; the agent's name is a label
everywhere; a folder or zip appears whole or not at all."""

from __future__ import annotations

import re
import zipfile

import numpy as np
import openpyxl
import pytest
import soundfile as sf
from clip_library import EN_AGENT, PHONE_END, PHONE_START, ZH_AGENT, phone_clip, playlist_of, recorded_call
from clip_library import TRAINER

from qa_desk.audio.clip_audio import BEEP_HZ, BEEP_LEVEL, FADE_SECONDS, clip_audio_formats
from qa_desk.clips import clip_sound, save_clip
from qa_desk.jobs import Cancelled, JobContext
from qa_desk.reports.clip_export import (
    ClipExportError, ExportSetupError, export_clip, export_clips, export_playlist,
)
from qa_desk.reports.clip_files import agent_labels, safe_file_name
from qa_desk.store.clips import ClipDetails
from qa_desk.store.models import ClipAudio
from qa_desk.transcription.formats import parse_transcript_file

RATE = 8000
FADE = int(FADE_SECONDS * RATE)
DIGITS = re.compile(r"[0-9一二三四五六七八九零幺]|one|three|eight|zero")


def frames(seconds: float) -> int:
    return int(round(seconds * RATE))


def read(path) -> np.ndarray:
    data, rate = sf.read(path, dtype="int16", always_2d=True)
    assert rate == RATE
    return data


def only(folder, suffix: str):
    [path] = sorted(folder.glob(f"*{suffix}"))
    return path


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("how", ["silence", "beep"])
def test_the_number_is_hidden_at_its_time_in_the_file_and_the_rest_is_the_clip(db, tmp_path, how):
    clip = phone_clip(db, recorded_call(db, tmp_path))
    sound = clip_sound(db, clip.id)
    assert sound.start == pytest.approx(0.4)  # the clip starts at 0.9 s, with a 0.5 s pre-roll
    report = export_clip(db, clip.id, tmp_path / "out", hide_with=how, actor=TRAINER)
    assert report.failures == [] and report.hidden == 1
    exported, original = read(only(tmp_path / "out", ".wav")), sound.samples
    assert exported.shape == original.shape
    a, b = frames(PHONE_START - sound.start), frames(PHONE_END - sound.start)  # 4.6 s and 7.0 s of the file
    assert np.abs(original[a:b]).max() > 1000  # there was speech to hide
    if how == "silence":
        assert not exported[a:b].any()
    else:
        t = np.arange(b - a) / RATE
        tone = np.round(BEEP_LEVEL * 32767 * np.sin(2 * np.pi * BEEP_HZ * t))
        middle = slice(FADE, b - a - FADE)  # inside the beep's own fades
        for channel in range(2):
            assert np.abs(exported[a:b, channel][middle] - tone[middle]).max() <= 1
        spectrum = np.abs(np.fft.rfft(exported[a:b, 0].astype(float)))
        assert np.fft.rfftfreq(b - a, 1 / RATE)[spectrum.argmax()] == pytest.approx(BEEP_HZ, abs=2)
    # Outside the span and its 10 ms fades the file is the clip's audio, sample for sample.
    assert np.array_equal(exported[:a - FADE], original[:a - FADE])
    assert np.array_equal(exported[b + FADE:], original[b + FADE:])


def test_the_srt_counts_from_the_files_first_sample_and_masks_the_number(db, tmp_path):
    clip = phone_clip(db, recorded_call(db, tmp_path))
    export_clip(db, clip.id, tmp_path / "out", hide_with="silence", actor=TRAINER)
    audio = read(only(tmp_path / "out", ".wav"))
    cues = parse_transcript_file(only(tmp_path / "out", ".srt")).utterances
    assert [(u.speaker, round(u.start, 3), round(u.end, 3)) for u in cues] == [
        ("agent", 0.1, 2.06), ("customer", 2.6, 4.025), ("customer", 4.6, 7.0), ("agent", 7.6, 9.0)]
    number = cues[2]
    assert number.text == "*" * 11
    # The masked cue is the silent stretch of the file (give or take the 10 ms fades,
    # where the quietest samples of the line noise round to zero).
    a, b = frames(number.start), frames(number.end)
    silent = np.flatnonzero(~audio.any(axis=1))
    assert not audio[a:b].any() and a - FADE <= silent[0] <= a and b <= silent[-1] + 1 <= b + FADE
    greeting = cues[0].text
    assert "Agent A" in greeting and ZH_AGENT not in greeting
    text = only(tmp_path / "out", ".txt").read_text(encoding="utf-8-sig")
    said = re.sub(r"(?m)^\[\d\d:\d\d\] ", "", text.split("\n\n", 1)[1])
    assert ZH_AGENT not in text and not DIGITS.search(said)
    assert "[00:04] Customer: ***********" in text
    assert text.startswith("Agent A asks for the phone number\nAgent A · Billing CN\n")


def test_a_number_read_across_the_clips_start_is_still_hidden(db, tmp_path):
    call_id = recorded_call(db, tmp_path)
    clip = save_clip(db, call_id, 6.0, 9.5, ClipDetails("Second half of the number"), actor=TRAINER, snap=False)
    export_clip(db, clip.id, tmp_path / "out", hide_with="silence", actor=TRAINER)
    audio, original = read(only(tmp_path / "out", ".wav")), clip_sound(db, clip.id).samples
    end = frames(PHONE_END - 6.0)
    assert not audio[:end].any() and np.array_equal(audio[end + FADE:], original[end + FADE:])
    cues = parse_transcript_file(only(tmp_path / "out", ".srt")).utterances
    assert cues[0].speaker == "customer" and (cues[0].start, cues[0].end) == (0.0, 1.4)
    assert cues[0].text == "**** ****"  # 零零一三 八零零零: the middle of each is in the clip


def test_without_anonymising_the_files_are_the_clip_and_its_words(db, tmp_path):
    clip = phone_clip(db, recorded_call(db, tmp_path))
    report = export_clip(db, clip.id, tmp_path / "out", anonymise=False, actor=TRAINER)
    assert report.hidden == 0 and not report.anonymised
    assert np.array_equal(read(only(tmp_path / "out", ".wav")), clip_sound(db, clip.id).samples)
    srt = only(tmp_path / "out", ".srt").read_text(encoding="utf-8-sig")
    assert "一三八零零一三八零零零" in srt and ZH_AGENT in srt
    assert only(tmp_path / "out", ".wav").name == "01-李娜 asks for the phone number.wav"


def test_a_playlist_exports_numbered_files_and_an_index_with_every_agent_labelled(db, tmp_path):
    zh, en = recorded_call(db, tmp_path), recorded_call(db, tmp_path, english=True)
    first = phone_clip(db, zh)
    second = phone_clip(db, en, title="=HYPERLINK(\"http://x\") <b>Sarah</b>'s callback", kind="needs_improvement",
                        tags=("English",), notes="Sarah Lee forgot to confirm; 李娜 did not.")
    playlist = playlist_of(db, [(first.id, "先听 李娜 的语速。"), (second.id, "Then compare.")])
    report = export_playlist(db, playlist, tmp_path / "week1", actor=TRAINER)
    folder = tmp_path / "week1"
    assert report.files == sorted(p.name for p in folder.iterdir())
    assert report.files == [
        "01-Agent A asks for the phone number.srt", "01-Agent A asks for the phone number.txt",
        "01-Agent A asks for the phone number.wav",
        "02-=HYPERLINK(_http___x_) _b_Agent B__b_'s callback.srt",
        "02-=HYPERLINK(_http___x_) _b_Agent B__b_'s callback.txt",
        "02-=HYPERLINK(_http___x_) _b_Agent B__b_'s callback.wav", "index.html", "index.xlsx"]
    assert leftovers(tmp_path) == []
    page = (folder / "index.html").read_text(encoding="utf-8")
    for name in (ZH_AGENT, EN_AGENT, "Sarah"):
        assert name not in page
    assert "先听 Agent A 的语速。" in page and "Agent B forgot to confirm; Agent A did not." in page
    assert "&lt;b&gt;Agent B&lt;/b&gt;" in page and "<b>" not in page
    for src in re.findall(r'<audio[^>]* src="([^"]+)"', page):
        from urllib.parse import unquote
        assert (folder / unquote(src)).is_file()
    assert len(re.findall(r"<audio", page)) == 2
    english_srt = (folder / report.clips[1].files[2]).read_text(encoding="utf-8-sig")
    assert "Agent B" in english_srt and "* * * * * * * * * * *" in english_srt and "three" not in english_srt

    book = openpyxl.load_workbook(folder / "index.xlsx")
    sheet = book["Clips"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "Title", "Kind")
    assert [r[1] for r in rows[1:]] == ["Agent A asks for the phone number",
                                        "'=HYPERLINK(\"http://x\") <b>Agent B</b>'s callback"]
    assert sheet.cell(3, 2).data_type == "s"  # text, never a formula
    assert [r[4] for r in rows[1:]] == ["Agent A", "Agent B"]
    assert sheet.cell(2, 13).hyperlink.target == report.clips[0].files[0]
    everything = " ".join(str(v) for ws in book for r in ws.iter_rows(values_only=True) for v in r if v)
    assert ZH_AGENT not in everything and "Sarah" not in everything
    assert "***********" in everything


def test_a_zip_holds_one_folder_with_everything(db, tmp_path):
    first = phone_clip(db, recorded_call(db, tmp_path))
    playlist = playlist_of(db, [(first.id, ""), (first.id, "once more")])  # a clip may come twice
    report = export_playlist(db, playlist, tmp_path / "exports" / "week1", as_zip=True, audio_format="flac", actor=TRAINER)
    assert report.target == tmp_path / "exports" / "week1.zip"
    with zipfile.ZipFile(report.target) as archive:
        names = archive.namelist()
        assert names == report.files and all(n.startswith("week1/") for n in names)
        assert "week1/index.html" in names and "week1/02-Agent A asks for the phone number.flac" in names
        archive.extractall(tmp_path / "unzipped")
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == ["week1.zip"]
    flac = read(tmp_path / "unzipped" / "week1" / "01-Agent A asks for the phone number.flac")
    assert np.array_equal(flac, read(tmp_path / "unzipped" / "week1" / "02-Agent A asks for the phone number.flac"))


def test_a_cancelled_export_leaves_nothing(db, tmp_path):
    first = phone_clip(db, recorded_call(db, tmp_path))
    playlist = playlist_of(db, [(first.id, ""), (first.id, "")])
    seen = []

    def cancel_on_second(text: str) -> None:
        seen.append(text)
        if len(seen) == 2:
            ctx.cancel()

    for as_zip in (False, True):
        seen.clear()
        ctx = JobContext(on_status=cancel_on_second)
        with pytest.raises(Cancelled):
            export_playlist(db, playlist, tmp_path / "out" / "week1", as_zip=as_zip, ctx=ctx, actor=TRAINER)
        assert list((tmp_path / "out").iterdir()) == []


def test_an_existing_folder_is_kept_unless_overwriting_is_allowed(db, tmp_path):
    clip = phone_clip(db, recorded_call(db, tmp_path))
    (tmp_path / "empty").mkdir()
    export_clip(db, clip.id, tmp_path / "empty", actor=TRAINER)  # an empty folder is a fine target
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("keep me")
    with pytest.raises(ExportSetupError, match="not empty"):
        export_clip(db, clip.id, tmp_path / "full", actor=TRAINER)
    with pytest.raises(ExportSetupError, match="more than a clip export"):  # -o ~ --overwrite deletes nothing
        export_clip(db, clip.id, tmp_path / "full", overwrite=True, actor=TRAINER)
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["mine.txt"]
    report = export_clip(db, clip.id, tmp_path / "empty", overwrite=True, audio_format="flac", actor=TRAINER)  # an earlier export
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == report.files  # the old WAV is gone
    assert sorted(p.suffix for p in (tmp_path / "empty").iterdir()) == [".flac", ".srt", ".txt"]
    (tmp_path / "x.zip").write_bytes(b"theirs")
    with pytest.raises(ExportSetupError, match="already exists"):
        export_clip(db, clip.id, tmp_path / "x.zip", as_zip=True, actor=TRAINER)
    assert (tmp_path / "x.zip").read_bytes() == b"theirs" and leftovers(tmp_path) == []


def test_a_clip_that_cannot_be_read_is_named_and_the_rest_are_exported(db, tmp_path):
    zh, en = recorded_call(db, tmp_path), recorded_call(db, tmp_path, english=True)
    good, broken = phone_clip(db, zh), phone_clip(db, en, title="Broken one")
    with db.session() as s:
        s.get(ClipAudio, broken.id).data = b"not flac"
    report = export_clips(db, [broken.id, good.id, 999], tmp_path / "out", index_title="Clips", actor=TRAINER)
    assert [(f.clip_id, f.title) for f in report.failures] == [(broken.id, "Broken one"), (999, None)]
    assert "cannot be read" in report.failures[0].message and "does not exist" in report.failures[1].message
    assert [c.number for c in report.clips] == [2]  # numbered as asked, so a gap shows what is missing
    assert "02-Agent" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    with pytest.raises(ClipExportError, match="nothing was exported") as raised:
        export_clip(db, broken.id, tmp_path / "none", actor=TRAINER)
    assert [f.clip_id for f in raised.value.failures] == [broken.id]
    assert not (tmp_path / "none").exists() and leftovers(tmp_path) == []


@pytest.mark.skipif("mp3" not in clip_audio_formats(), reason="this libsndfile does not write MP3")
def test_mp3_export_plays_back_at_the_clips_length(sqlite_db, tmp_path):
    db = sqlite_db
    clip = phone_clip(db, recorded_call(db, tmp_path))
    export_clip(db, clip.id, tmp_path / "out", audio_format="mp3", actor=TRAINER)
    info = sf.info(only(tmp_path / "out", ".mp3"))
    assert info.samplerate == RATE and info.channels == 2
    assert info.duration == pytest.approx(clip_sound(db, clip.id).duration, abs=0.1)


def test_unusable_options_are_refused_before_anything_is_written(sqlite_db, tmp_path):
    clip = phone_clip(sqlite_db, recorded_call(sqlite_db, tmp_path))
    with pytest.raises(ExportSetupError, match="beep"):
        export_clip(sqlite_db, clip.id, tmp_path / "out", hide_with="bleep", actor=TRAINER)
    with pytest.raises(ExportSetupError, match="wav, flac or mp3"):
        export_clip(sqlite_db, clip.id, tmp_path / "out", audio_format="ogg", actor=TRAINER)
    with pytest.raises(ExportSetupError, match="Playlist 42 does not exist"):
        export_playlist(sqlite_db, 42, tmp_path / "out", actor=TRAINER)
    assert not (tmp_path / "out").exists()


def test_file_names_are_safe_everywhere_and_keep_chinese():
    assert safe_file_name('退款/投诉: "急"?') == "退款_投诉_ _急__"
    assert safe_file_name("  ..hidden. ") == "hidden"
    assert safe_file_name("CON") == "_CON" and safe_file_name("\x00\t") == "_"
    assert safe_file_name("   ", fallback="clip 7") == "clip 7"
    long = safe_file_name("长" * 100)
    assert long == "长" * 40 and len(long.encode()) == 120


def test_agents_get_letters_in_order_of_appearance():
    labels = agent_labels(["李娜", None, "Sarah Lee", "李娜", *[f"a{i}" for i in range(30)]], "坐席{}")
    assert labels["李娜"] == "坐席A" and labels["Sarah Lee"] == "坐席B"
    assert labels["a23"] == "坐席Z" and labels["a24"] == "坐席AA"
