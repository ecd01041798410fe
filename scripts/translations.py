"""The interface's translations: Qt Linguist .ts sources (committed) and .qm files (built).

    python scripts/translations.py update        # re-read the UI's tr() strings into the .ts files
    python scripts/translations.py build         # .ts → .qm beside them (quickstart and build.spec run it)
    python scripts/translations.py missing [LANG] # what is not translated yet; exit 1 if anything
    python scripts/translations.py export LANG FILE.json   # the unfinished messages, to translate
    python scripts/translations.py fill LANG FILE.json...  # their translations back into the .ts

The tools are Qt's own (pyside6-lupdate, pyside6-lrelease, shipped with PySide6): the
.ts format keeps each string's context, plural forms and where it is used, and Qt
Linguist opens it for a translator. ``export``/``fill`` exist for translating outside
Linguist (a JSON list of {context, source, translation}; plural messages carry a list).

Simplified Chinese needs every string translated; English is the source language, so
its .ts holds only the plural forms ("%n entries") that English writes differently by
count.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "resources" / "translations"
LANGUAGES = ("zh_CN", "en")
BIN = Path(sys.executable).parent


def ts_path(language: str) -> Path:
    return FOLDER / f"qa_desk_{language}.ts"


def sources() -> list[str]:
    """The files whose tr() / translate() / QT_TRANSLATE_NOOP strings a person reads: the
    window's, the CLI's and the domain's (``qa_desk.wording``). Paths from the root: the
    .ts records relative locations, the same on every machine."""
    files = sorted((ROOT / "qa_desk").rglob("*.py"))
    return [str(f.relative_to(ROOT)) for f in files]


def _tool(name: str) -> str:
    found = BIN / f"pyside6-{name}"
    return str(found) if found.exists() else f"pyside6-{name}"


def update(languages: tuple[str, ...] = LANGUAGES) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for language in languages:
        extra = ["-pluralonly"] if language == "en" else []
        subprocess.run([_tool("lupdate"), *sources(), "-locations", "relative", "-no-obsolete",
                        "-target-language", language, *extra, "-ts", str(ts_path(language).relative_to(ROOT))],
                       cwd=ROOT, check=True)


def build(quiet: bool = False, into: Path | None = None) -> list[Path]:
    """Compile every .ts into its .qm (beside it, or in ``into``); returns the .qm files."""
    built = []
    for ts in sorted(FOLDER.glob("qa_desk_*.ts")):
        qm = (into / ts.name if into else ts).with_suffix(".qm")
        subprocess.run([_tool("lrelease"), *(["-silent"] if quiet else []), str(ts), "-qm", str(qm)], check=True)
        built.append(qm)
    return built


def messages_of(path: Path):
    """(context name, message element) of every message of a .ts file."""
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            yield name, message


def messages(language: str):
    return messages_of(ts_path(language))


def unfinished(language: str) -> list[tuple[str, str]]:
    """(context, source) of every message without a finished translation."""
    out = []
    for context, message in messages(language):
        translation = message.find("translation")
        forms = [f.text for f in translation.iter("numerusform")] if translation is not None else []
        text = (translation.text or "") if translation is not None else ""
        done = translation is not None and translation.get("type") not in ("unfinished", "vanished", "obsolete") \
            and (all(forms) if forms else bool(text))
        if not done:
            out.append((context, message.findtext("source") or ""))
    return out


def export(language: str, path: Path) -> int:
    todo = set(unfinished(language))
    items = [{"context": c, "source": m.findtext("source") or "", "numerus": m.get("numerus") == "yes",
              "translation": ""}
             for c, m in messages(language) if (c, m.findtext("source") or "") in todo]
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(items)


def fill(language: str, files: list[Path]) -> int:
    """Put the translations of the JSON files into the .ts (each marked finished)."""
    given: dict[tuple[str, str], object] = {}
    for file in files:
        for item in json.loads(file.read_text(encoding="utf-8")):
            if item.get("translation"):
                given[(item["context"], item["source"])] = item["translation"]
    tree = ET.parse(ts_path(language))
    filled = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            text = given.get((name, message.findtext("source") or ""))
            if text is None:
                continue
            translation = message.find("translation")
            translation.attrib.pop("type", None)
            if message.get("numerus") == "yes":
                for form in list(translation):
                    translation.remove(form)
                for form_text in (text if isinstance(text, list) else [text]):
                    ET.SubElement(translation, "numerusform").text = form_text
            else:
                translation.text = text if isinstance(text, str) else text[0]
            filled += 1
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts_path(language).write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                                 encoding="utf-8")
    # lupdate writes the file back in Qt's own layout (indentation, &apos;): the .ts then
    # differs from the last commit only by the translations filled in, not by how
    # ElementTree lays out XML, and the next update does not rewrite every line again.
    update((language,))
    return filled


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "build"
    if command == "update":
        update()
    elif command == "build":
        for qm in build():
            print(qm.relative_to(ROOT))
    elif command == "missing":
        missing = 0
        for language in argv[1:] or LANGUAGES:
            for context, source in unfinished(language):
                print(f"{language}\t{context}\t{source}")
                missing += 1
        return 1 if missing else 0
    elif command == "export":
        print(f"{export(argv[1], Path(argv[2]))} messages to translate written to {argv[2]}")
    elif command == "fill":
        print(f"{fill(argv[1], [Path(p) for p in argv[2:]])} translations filled into {ts_path(argv[1]).name}")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
