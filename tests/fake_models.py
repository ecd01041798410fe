"""Small, structurally valid Vosk model folders and zips for the model-manager tests.

The files carry the names Vosk needs but no real content: enough for validation,
install, zip and dither tests, never for recognition (the Korean test model does that).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

MFCC = "--use-energy=false\n--dither=1.0\n--num-mel-bins=40\n"
FILES = {
    "am/final.mdl": b"fake acoustic model " * 50,
    "conf/model.conf": b"--min-active=200\n--max-active=3000\n",
    "conf/mfcc.conf": MFCC.encode(),
    "graph/HCLG.fst": b"fake graph " * 100,
    "graph/words.txt": b"<eps> 0\n\xe4\xbd\xa0\xe5\xa5\xbd 1\n",
    "ivector/final.ie": b"fake ivector " * 20,
    "README": b"Fake model for tests\n",
}


def model_files(*, split_graph: bool = False) -> dict[str, bytes]:
    files = dict(FILES)
    if split_graph:
        del files["graph/HCLG.fst"]
        files["graph/HCLr.fst"] = b"fake HCLr " * 50
        files["graph/Gr.fst"] = b"fake Gr " * 50
    return files


def make_model(folder: Path, *, split_graph: bool = False, drop: tuple[str, ...] = ()) -> Path:
    """A model folder at ``folder`` (created); ``drop`` leaves those files out."""
    for rel, data in model_files(split_graph=split_graph).items():
        if rel in drop:
            continue
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def make_model_zip(zip_path: Path, top: str | None = "vosk-model-small-cn-0.22", *, drop: tuple[str, ...] = ()) -> Path:
    """A model zip as Vosk publishes them (one top folder), or with files at the root."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        if top:
            zf.writestr(f"{top}/", b"")
        for rel, data in model_files().items():
            if rel not in drop:
                zf.writestr(f"{top}/{rel}" if top else rel, data)
    return zip_path
