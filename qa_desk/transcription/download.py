"""Downloading a model zip: resumable, cancellable, checked against the published list.

Contact-centre networks are slow and flaky and the models are 40 MB to 2 GB, so the
bytes go to a ``.part`` file that survives a dropped connection, a cancel or a crash;
the next attempt asks the server for the rest (HTTP Range). A server that ignores
Range answers with the whole file, and we start over. Only a file whose size and MD5
match what Vosk publishes (where those are known) is renamed into place.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from .. import __version__, paths
from ..jobs import JobContext
from ..wording import translate
from .model_errors import ChecksumError, DownloadError

_CHUNK = 1 << 16
_USER_AGENT = f"QA-Desk/{__version__}"

Progress = Callable[[int, int], None]


class _Dropped(Exception):
    """The connection ended before the whole file came; the part file is kept."""

    def __init__(self, done: int, total: int):
        super().__init__(done, total)
        self.done, self.total = done, total


class _StartOver(Exception):
    """The part file cannot be continued (the server sent another range)."""


def download_path_for(url: str) -> Path:
    """Where a URL is downloaded to (its ``.part`` sits beside it), in the cache folder."""
    name = Path(urlparse(url).path).name or "download"
    name = re.sub(r"[^\w.-]", "_", name)
    tag = hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]  # two URLs, one file name
    folder = paths.cache_dir() / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{tag}-{name}"


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def file_md5(path: Path, ctx: JobContext | None = None) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            if ctx:
                ctx.check_cancelled()
    return digest.hexdigest()


def download(
    url: str,
    dest: Path,
    *,
    expected_size: int = 0,
    expected_md5: str = "",
    ctx: JobContext | None = None,
    progress: Progress | None = None,
    retries: int = 2,
    timeout: float = 30.0,
) -> str:
    """Fetch ``url`` to ``dest``; the file's MD5. 0 / "" for size / MD5 mean unknown.

    A dropped connection is resumed up to ``retries`` times; after that DownloadError,
    with the part file kept for next time. A cancel (``ctx``) raises Cancelled and also
    keeps it. A size or MD5 that differs from the published one deletes it
    (ChecksumError): those bytes would never become the right file.
    """
    if urlparse(url).scheme not in ("http", "https"):
        raise DownloadError(translate("Errors", "{url}: only http:// and https:// addresses can be downloaded"
                                      ).format(url=url))
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    report = progress or (ctx.progress if ctx else None)
    attempts = 0
    while True:
        try:
            _fetch(url, part, expected_size, ctx, report, timeout)
            break
        except _StartOver:
            part.unlink(missing_ok=True)
        except ChecksumError:
            part.unlink(missing_ok=True)  # the server's file is another one: keep none of it
            raise
        except OSError as exc:  # writing the part file: disk full, folder gone
            raise DownloadError(translate(
                "Errors", "{url}: cannot save the download to {file} ({detail}); free some disk space and try again"
            ).format(url=url, file=part, detail=exc.strerror or exc)) from None
        except _Dropped as dropped:
            if attempts >= retries:
                if dropped.total:
                    text = translate(
                        "Errors", "{url}: the connection dropped after {done} of {total} bytes; the part already "
                        "downloaded is kept and the next try resumes from there")
                else:
                    text = translate(
                        "Errors", "{url}: the connection dropped after {done} bytes; the part already "
                        "downloaded is kept and the next try resumes from there")
                raise DownloadError(text.format(
                    url=url, done=f"{dropped.done:,}", total=f"{dropped.total:,}")) from None
        attempts += 1
    return _verify(url, part, dest, expected_size, expected_md5, ctx)


def _verify(url: str, part: Path, dest: Path, expected_size: int, expected_md5: str, ctx) -> str:
    size = part.stat().st_size
    if expected_size and size != expected_size:
        part.unlink(missing_ok=True)
        raise ChecksumError(translate(
            "Errors", "{url}: downloaded {size} bytes but the model list says {expected}; the download was "
            "deleted: try again, or update the model list").format(
            url=url, size=f"{size:,}", expected=f"{expected_size:,}"))
    md5 = file_md5(part, ctx)
    if expected_md5 and md5 != expected_md5.lower():
        part.unlink(missing_ok=True)
        raise ChecksumError(translate(
            "Errors", "{url}: the MD5 checksum {md5} does not match the published {expected}; the download was "
            "deleted: try again, or update the model list").format(url=url, md5=md5, expected=expected_md5.lower()))
    os.replace(part, dest)
    return md5


def _content_range(value: str | None) -> tuple[int, int]:
    """(first byte, total) from "bytes 100-199/200"; total 0 when the server says "*"."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", value or "")
    if not match:
        raise _StartOver()
    return int(match.group(1)), 0 if match.group(2) == "*" else int(match.group(2))


def _open(url: str, have: int, timeout: float):
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            # Asked for bytes past the end: either the part is already complete or it
            # belongs to an older, bigger file. The total in Content-Range tells which.
            total = re.search(r"/(\d+)", exc.headers.get("Content-Range") or "")
            exc.close()
            if total and int(total.group(1)) == have:
                return None
            raise _StartOver() from None
        exc.close()
        raise DownloadError(translate("Errors", "{url}: the server answered HTTP {code} {reason}").format(
            url=url, code=exc.code, reason=exc.reason)) from None
    except urllib.error.URLError as exc:
        raise DownloadError(translate(
            "Errors", "{url}: cannot connect ({detail}); check the internet connection or the proxy, and try again"
        ).format(url=url, detail=exc.reason)) from None
    except (TimeoutError, socket.timeout):
        raise DownloadError(translate(
            "Errors", "{url}: the server did not answer within {seconds} s; try again later").format(
            url=url, seconds=f"{timeout:g}")) from None
    except (http.client.HTTPException, OSError) as exc:
        raise DownloadError(translate("Errors", "{url}: the download failed ({detail}); try again").format(
            url=url, detail=exc)) from None


def _fetch(url: str, part: Path, expected_size: int, ctx, report: Progress | None, timeout: float) -> None:
    have = part.stat().st_size if part.exists() else 0
    if expected_size and have == expected_size:
        return  # finished earlier, stopped before the check: verify it
    if expected_size and have > expected_size:
        part.unlink()
        have = 0
    response = _open(url, have, timeout)
    if response is None:
        return
    with response:
        if have and response.status == 206:
            start, total = _content_range(response.headers.get("Content-Range"))
            if start != have:
                raise _StartOver()
            mode = "ab"
        else:
            # No Range asked, or the server ignored it (200 with the whole file).
            have, mode = 0, "wb"
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else 0
        if expected_size and total and total != expected_size:
            raise ChecksumError(translate(
                "Errors", "{url}: the server offers {total} bytes but the model list says {expected}; this is not "
                "the published file: update the model list").format(
                url=url, total=f"{total:,}", expected=f"{expected_size:,}"))
        total = total or expected_size
        done = have
        if report:
            report(done, total)
        with open(part, mode) as out:
            while True:
                if ctx:
                    ctx.check_cancelled()
                try:
                    chunk = response.read(_CHUNK)
                except (http.client.HTTPException, OSError):
                    raise _Dropped(done, total) from None
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                if report:
                    report(done, total)
    if total and done < total:
        raise _Dropped(done, total)
