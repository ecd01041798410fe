"""Downloading models from a real HTTP server on loopback: resume with Range, a server that
ignores Range, a dropped connection, cancel, and size/MD5 checks from the published list."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fake_models import make_model_zip

from qa_desk import cli_models
from qa_desk.cli_models import add_models_parser, run_models
from qa_desk.jobs import Cancelled, JobContext
from qa_desk.settings import Settings
from qa_desk.transcription import catalog as cat
from qa_desk.transcription import model_install as mi
from qa_desk.transcription import speech_models as sm
from qa_desk.transcription.download import download, download_path_for, part_path
from qa_desk.transcription.model_errors import ChecksumError, DownloadError


class Handler(BaseHTTPRequestHandler):
    """/range/… honours Range, /norange/… ignores it, /drop/… cuts the body in half
    while ``server.drops`` > 0, /missing/… is a 404."""

    def do_GET(self):  # noqa: N802 - http.server's naming
        server = self.server
        server.log.append((self.path, self.headers.get("Range")))
        mode = self.path.strip("/").split("/")[0]
        data = server.payload
        if mode == "missing":
            self.send_error(404, "Not Found")
            return
        start, wanted = 0, self.headers.get("Range")
        if wanted and mode in ("range", "drop"):
            start = int(re.match(r"bytes=(\d+)-", wanted).group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode == "drop" and server.drops > 0:
            server.drops -= 1
            body = body[: len(body) // 2]
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that cancelled mid-body is expected here


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    zip_path = make_model_zip(tmp_path_factory.mktemp("payload") / "model.zip")
    with zipfile.ZipFile(zip_path, "a") as zf:  # incompressible bulk: many chunks to resume within
        zf.writestr("vosk-model-small-cn-0.22/graph/extra.bin", os.urandom(600_000))
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.payload, httpd.log, httpd.drops = zip_path.read_bytes(), [], 0
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def srv(server):
    server.log.clear()
    server.drops = 0
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.md5 = hashlib.md5(server.payload).hexdigest()
    server.size = len(server.payload)
    return server


def publish(tmp_path, *entries):
    """Refresh the catalogue with entries pointing at the test server."""
    rows = [{"lang": "cn", "lang_text": "Chinese", "obsolete": "false", "size_text": "1MiB", "type": "small",
             "version": "0.1", **e} for e in entries]
    file = tmp_path / "model-list.json"
    file.write_text(json.dumps(rows), encoding="utf-8")
    cat.refresh_catalog(file)


def nothing_installed() -> bool:
    return list(sm.models_dir().iterdir()) == []


def test_install_by_catalogue_name_downloads_checks_and_installs(srv, tmp_path):
    publish(tmp_path, {"name": "vosk-model-small-cn-test", "url": f"{srv.base}/range/a.zip", "md5": srv.md5, "size": srv.size})
    seen = []
    model = mi.install_from_catalog("vosk-model-small-cn-test", progress=lambda d, t: seen.append((d, t)))
    assert model.name == "vosk-model-small-cn-test" and model.language == "zh"
    record = json.loads((model.path / sm.METADATA_FILE).read_text())
    assert record["md5"] == srv.md5 and record["source"] == f"{srv.base}/range/a.zip"
    assert seen[0] == (0, srv.size) and seen[-1] == (srv.size, srv.size)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))
    dest = download_path_for(f"{srv.base}/range/a.zip")
    assert not dest.exists() and not part_path(dest).exists()  # the zip was only a vehicle


def test_a_wrong_md5_is_refused_and_nothing_is_installed(srv, tmp_path):
    url = f"{srv.base}/range/b.zip"
    publish(tmp_path, {"name": "vosk-model-small-cn-test", "url": url, "md5": "0" * 32, "size": srv.size})
    with pytest.raises(ChecksumError, match=f"{url}: the MD5 checksum {srv.md5} does not match"):
        mi.install("vosk-model-small-cn-test")
    assert nothing_installed()
    assert not part_path(download_path_for(url)).exists()


def test_a_wrong_size_is_refused_before_the_body_is_read(srv, tmp_path):
    url = f"{srv.base}/range/c.zip"
    publish(tmp_path, {"name": "vosk-model-small-cn-test", "url": url, "md5": "", "size": srv.size + 1})
    with pytest.raises(ChecksumError, match=f"offers {srv.size:,} bytes but the model list says {srv.size + 1:,}"):
        mi.install(url)  # a plain URL is still checked against its catalogue entry
    assert nothing_installed()


def test_unknown_md5_and_size_are_not_checked(srv, tmp_path):
    publish(tmp_path, {"name": "vosk-model-small-cn-test", "url": f"{srv.base}/range/d.zip", "md5": "", "size": 0})
    assert mi.install("vosk-model-small-cn-test").name == "vosk-model-small-cn-test"


def test_a_dropped_connection_keeps_the_part_and_resumes(srv):
    url = f"{srv.base}/drop/e.zip"
    dest = download_path_for(url)
    srv.drops = 1
    with pytest.raises(DownloadError, match="connection dropped after") as err:
        download(url, dest, expected_size=srv.size, expected_md5=srv.md5, retries=0)
    assert url in str(err.value)
    half = part_path(dest).stat().st_size
    assert 0 < half < srv.size
    assert download(url, dest, expected_size=srv.size, expected_md5=srv.md5, retries=0) == srv.md5
    assert srv.log == [("/drop/e.zip", None), ("/drop/e.zip", f"bytes={half}-")]
    assert dest.read_bytes() == srv.payload and not part_path(dest).exists()


def test_a_dropped_connection_is_resumed_automatically(srv):
    url = f"{srv.base}/drop/f.zip"
    srv.drops = 2
    model = mi.install_from_url(url)  # no catalogue entry: nothing to check but the zip itself
    assert model.name == "vosk-model-small-cn-0.22" and srv.log[0][1] is None and srv.log[1][1] and srv.log[2][1]
    assert len(srv.log) == 3


def test_a_server_that_ignores_range_means_starting_over(srv):
    url = f"{srv.base}/norange/g.zip"
    dest = download_path_for(url)
    part_path(dest).write_bytes(b"garbage from an older attempt")
    assert download(url, dest, expected_md5=srv.md5) == srv.md5
    assert srv.log == [("/norange/g.zip", "bytes=29-")]
    assert dest.read_bytes() == srv.payload


def test_a_part_that_is_already_complete_is_not_fetched_again(srv):
    url = f"{srv.base}/range/h.zip"
    dest = download_path_for(url)
    part_path(dest).write_bytes(srv.payload)
    assert download(url, dest) == srv.md5  # size unknown: the server's 416 says it is whole
    assert srv.log == [("/range/h.zip", f"bytes={srv.size}-")]
    part_path(dest).write_bytes(srv.payload)
    srv.log.clear()
    assert download(url, dest, expected_size=srv.size) == srv.md5
    assert srv.log == []  # the known size says so without asking


def test_cancel_keeps_the_part_for_next_time(srv):
    url = f"{srv.base}/range/i.zip"
    ctx = JobContext(min_interval=0)
    ctx._on_progress = lambda done, total: ctx.cancel() if done > 100_000 else None
    with pytest.raises(Cancelled):
        mi.install_from_url(url, ctx=ctx)
    assert nothing_installed()
    kept = part_path(download_path_for(url)).stat().st_size
    assert 100_000 < kept < srv.size
    assert mi.install_from_url(url).name == "vosk-model-small-cn-0.22"  # the zip's folder
    assert srv.log[-1] == ("/range/i.zip", f"bytes={kept}-")


def test_server_and_network_errors_name_the_url(srv):
    url = f"{srv.base}/missing/j.zip"
    with pytest.raises(DownloadError, match=f"{url}: the server answered HTTP 404"):
        mi.install_from_url(url)
    with pytest.raises(DownloadError, match="http://127.0.0.1:9/k.zip: cannot connect"):
        mi.install_from_url("http://127.0.0.1:9/k.zip")
    assert nothing_installed()


def run_cli(capsys, *argv):
    parser = argparse.ArgumentParser(prog="qa-desk")
    add_models_parser(parser.add_subparsers(dest="command"))
    code = run_models(parser.parse_args(["models", *argv]), Settings())
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_install_by_name_bad_checksum_and_ctrl_c(srv, tmp_path, capsys, monkeypatch):
    good, bad, slow = (f"{srv.base}/range/{n}.zip" for n in ("k", "l", "m"))
    publish(
        tmp_path,
        {"name": "vosk-model-small-cn-test", "url": good, "md5": srv.md5, "size": srv.size},
        {"name": "vosk-model-small-cn-bad", "url": bad, "md5": "f" * 32, "size": srv.size},
        {"name": "vosk-model-small-cn-slow", "url": slow, "md5": srv.md5, "size": srv.size},
    )
    code, out, _ = run_cli(capsys, "install", "vosk-model-small-cn-test")
    assert code == 0 and "Installed vosk-model-small-cn-test (zh," in out
    code, _, err = run_cli(capsys, "install", "vosk-model-small-cn-bad")
    assert code == 1 and bad in err and "MD5" in err

    def interrupt(self, done, total):
        if done > 100_000:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_models.ProgressBar, "update", interrupt)
    code, _, err = run_cli(capsys, "install", "vosk-model-small-cn-slow")
    assert code == 130 and "interrupted" in err and "resumes" in err
    assert [m.name for m in sm.list_models()] == ["vosk-model-small-cn-test"]
    assert leftovers_ok()


def leftovers_ok() -> bool:
    return not any(p.name.startswith(".") for p in sm.models_dir().iterdir())


def test_the_progress_bar_draws_on_a_terminal(capsys):
    import io

    stream = io.StringIO()
    bar = cli_models.ProgressBar(stream, enabled=True, width=10)
    bar.phase("download")
    bar.update(512 << 10, 1 << 20)
    bar.close()
    assert "Downloading [#####-----]  50.0%  512.0 KiB / 1.0 MiB" in stream.getvalue()
    assert stream.getvalue().endswith("\n")
