"""`qa-desk transcribe` and `qa-desk worker`: speech recognition without a window.

  qa-desk transcribe [CALL_ID … | --pending] [--model NAME] [--language L]
                     [--workers N] [--force] [--json]
  qa-desk worker [--workers N] [--once]

`transcribe` queues the calls and works until each of them is finished, whoever runs
it (another `qa-desk worker` on the team's database may take some). `worker` serves
the shared queue until stopped (Ctrl-C or SIGTERM give the calls in hand back to the
queue for another worker).

Exit codes: 0 every call transcribed (or already was) · 1 some calls failed (each is
named with the reason) · 2 usage: no calls given, no such call, no model for them ·
3 the database cannot be used · 130 interrupted (the calls not finished are cancelled).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from .settings import Settings
from .wording import translate

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def add_transcribe_parsers(sub) -> None:
    tr = sub.add_parser("transcribe", help=translate("CLI", "transcribe calls offline with Vosk (per speaker)"))
    tr.add_argument("calls", nargs="*", type=int, metavar="CALL_ID", help=translate("CLI", "the calls' ids"))
    tr.add_argument("--pending", action="store_true", help=translate("CLI", "every call not transcribed yet"))
    tr.add_argument("--model", metavar="NAME",
                    help=translate("CLI", "speech model (default: the default model for the language)"))
    tr.add_argument("--language", metavar="LANG",
                    help=translate("CLI", "language of the calls, e.g. zh, en (default: setting)"))
    workers = translate("CLI", "parallel decoders (default: setting, or one per core)")
    tr.add_argument("--workers", type=int, metavar="N", help=workers)
    tr.add_argument("--force", action="store_true", help=translate("CLI", "transcribe again calls that have a transcript"))
    tr.add_argument("--json", action="store_true", help=translate("CLI", "print the outcome as JSON"))

    wk = sub.add_parser(
        "worker", help=translate("CLI", "serve the shared transcription queue (headless, for a team's database)"))
    wk.add_argument("--workers", type=int, metavar="N", help=workers)
    wk.add_argument("--once", action="store_true",
                    help=translate("CLI", "stop when the queue is empty instead of waiting for more"))
    wk.add_argument("--lease", type=float, default=None, metavar="SECONDS", help=argparse_hidden())


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS  # a test knob: how long a dead worker's calls stay leased


def _workers(args, settings: Settings) -> int:
    return args.workers or settings.transcription_workers or os.cpu_count() or 1


def run_transcribe(args, url: str, settings: Settings) -> int:
    from .store.database import Database
    from .store.models import Call
    from .transcription import queue
    from .transcription.model_choice import installed_models
    from .transcription.runner import ModelPool, ModelUnavailable, TranscriptionRunner

    if not args.calls and not args.pending:
        print("qa-desk: " + translate("CLI", "name the calls to transcribe (CALL_ID …) or use --pending"),
              file=sys.stderr)
        return EXIT_USAGE
    resolve = installed_models()
    try:
        model = resolve(args.model, args.language)
    except ModelUnavailable as exc:
        print(f"qa-desk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = Database.open(url)
    try:
        with db.session() as session:
            call_ids = list(dict.fromkeys(args.calls))
            missing = [i for i in call_ids if session.get(Call, i) is None]
            if missing:
                print("qa-desk: " + translate("CLI", "no such call: {ids}").format(ids=", ".join(map(str, missing))),
                      file=sys.stderr)
                return EXIT_USAGE
            if args.pending:
                call_ids += [i for i in queue.pending_call_ids(session) if i not in call_ids]
            queued = queue.enqueue(
                session, call_ids, model_name=model.name if args.model else None,
                language=args.language, force=args.force,
            )
            names = dict(session.query(Call.id, Call.file_name).filter(Call.id.in_(call_ids)).all())
        if not args.json:
            for call_id, reason in queued.skipped.items():
                print("= " + translate("CLI", "call {id} ({file}): {reason}").format(
                    id=call_id, file=names.get(call_id, "?"), reason=reason), file=sys.stderr)
        jobs = queued.queued
        from .scoring.scan import AfterTranscript

        runner = TranscriptionRunner(db, ModelPool(resolve), workers=_workers(args, settings), only=jobs,
                                     after_transcript=AfterTranscript(lambda: settings))
        try:
            states = _work(db, runner, jobs, show=sys.stderr.isatty() and not args.json, model=model.name)
        except KeyboardInterrupt:
            runner.stop(release=False)
            with db.session() as session:
                queue.cancel(session, jobs)
            runner.join(timeout=30)
            print("\nqa-desk: " + translate("CLI", "interrupted; unfinished calls cancelled"), file=sys.stderr)
            return EXIT_INTERRUPTED
        with db.session() as session:
            job_calls = dict(session.query(queue.Job.id, queue.Job.call_id).filter(queue.Job.id.in_(jobs)).all())
    finally:
        db.close()
    outcome = {"done": [], "failed": {}, "cancelled": [], "skipped": {str(k): v for k, v in queued.skipped.items()}}
    for job_id, (status, _, error) in sorted(states.items()):
        call_id = job_calls[job_id]
        if status == "done":
            outcome["done"].append(call_id)
        elif status == "failed":
            outcome["failed"][str(call_id)] = error
        else:
            outcome["cancelled"].append(call_id)
    if args.json:
        print(json.dumps(outcome, ensure_ascii=False, indent=2))
    else:
        for call_id, error in outcome["failed"].items():
            print("! " + translate("CLI", "call {id} ({file}): {reason}").format(
                id=call_id, file=names.get(int(call_id), "?"), reason=error))
        print(translate("CLI", "{done} transcribed, {failed} failed, {cancelled} cancelled, {skipped} skipped").format(
            done=len(outcome["done"]), failed=len(outcome["failed"]), cancelled=len(outcome["cancelled"]),
            skipped=len(queued.skipped)))
    return EXIT_FAILED if outcome["failed"] or outcome["cancelled"] else EXIT_OK


def _work(db, runner, jobs: list[int], *, show: bool, model: str) -> dict:
    """Run until every job is finished (by us or another worker); the final states."""
    from .transcription import queue

    started = time.monotonic()
    runner.start()
    while True:
        with db.session() as session:
            states = queue.job_states(session, jobs)
        finished = sum(1 for s, _, _ in states.values() if s in queue.FINISHED)
        if show:
            _bar(states, finished, len(jobs), time.monotonic() - started, model)
        if finished == len(jobs):
            break
        if not runner.working and any(s == "queued" for s, _, _ in states.values()):
            runner.start()  # our threads found nothing claimable for a moment; look again
        time.sleep(0.25)
    runner.join()
    if show:
        print(file=sys.stderr)
    return states


def _bar(states: dict, finished: int, total: int, elapsed: float, model: str) -> None:
    fraction = sum(1.0 if s in ("done", "failed", "cancelled") else p for s, p, _ in states.values())
    fraction = fraction / total if total else 1.0
    width = 30
    filled = int(round(fraction * width))
    eta = ""
    if 0.02 < fraction < 1.0:
        left = elapsed / fraction * (1.0 - fraction)
        eta = "  " + translate("CLI", "ETA {time}").format(time=f"{int(left // 60)}:{int(left % 60):02d}")
    calls = translate("CLI", "{done}/{total} calls").format(done=finished, total=total)
    print(f"\r[{'#' * filled}{' ' * (width - filled)}] {calls} {fraction:4.0%}{eta}  ({model})   ",
          end="", file=sys.stderr, flush=True)


def run_worker(args, url: str, settings: Settings) -> int:
    from .store.database import Database
    from .transcription import queue
    from .transcription.model_choice import installed_models
    from .transcription.runner import ModelPool, TranscriptionRunner

    db = Database.open(url)
    requeued = queue.requeue_orphans(db)
    workers = _workers(args, settings)

    def finished(job, status: str, detail: str | None) -> None:
        # The status is the job's code (done, failed, cancelled), as a log reader greps it.
        line = f"{time.strftime('%H:%M:%S')} " + translate("CLI", "call {id}: {status}").format(
            id=job.call_id, status=status)
        print(f"{line}: {detail}" if detail else line, flush=True)

    from .scoring.scan import AfterTranscript

    runner = TranscriptionRunner(
        db, ModelPool(installed_models()), workers=workers, keep_running=not args.once, poll=2.0,
        lease=args.lease or queue.LEASE_SECONDS, on_finished=finished,
        after_transcript=AfterTranscript(lambda: settings),
    )
    back = translate("CLI", "; {count} interrupted call(s) back in the queue").format(count=requeued)
    print(translate("CLI", "qa-desk worker {name}: {workers} decoder(s) on {backend}").format(
        name=runner.name, workers=workers, backend=db.backend) + (back if requeued else ""), flush=True)

    def stop(_signum, _frame) -> None:
        runner.stop(release=True)

    signal.signal(signal.SIGTERM, stop)
    try:
        runner.start()
        while not runner.join(timeout=0.5):
            pass
    except KeyboardInterrupt:
        runner.stop(release=True)
        runner.join(timeout=30)
        print("qa-desk worker: " + translate("CLI", "stopped; calls in hand went back to the queue"), file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        db.close()
    summary = runner.summary
    print("qa-desk worker: " + translate("CLI", "{done} transcribed, {failed} failed").format(
        done=len(summary.done), failed=len(summary.failed)), flush=True)
    return EXIT_OK
