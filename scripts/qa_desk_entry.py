"""Entry point of the frozen (PyInstaller) QA Desk: the same as the `qa-desk` command.

PyInstaller needs a script, not a `module:function` entry point; this is that script
(see build.spec). No arguments open the window, arguments run the CLI.
"""

import multiprocessing
import os
import sys


def _point_at_bundled_files() -> None:
    """Tell QA Desk where build.spec put its shipped files inside the bundle.

    From a source tree they are found next to the package; in a bundle they sit in
    PyInstaller's folder (sys._MEIPASS). qa_desk already reads these two variables for
    exactly this case (paths.resources_dir, scoring.forms.forms_dir); setdefault leaves
    a value the user set alone.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        os.environ.setdefault("QA_DESK_RESOURCES", os.path.join(bundle, "resources"))
        os.environ.setdefault("QA_DESK_FORMS", os.path.join(bundle, "forms"))


if __name__ == "__main__":
    # A frozen child process started by multiprocessing re-runs this executable: this
    # call runs the child's work and exits instead of opening a second QA Desk.
    multiprocessing.freeze_support()
    _point_at_bundled_files()
    from qa_desk.cli import main

    sys.exit(main())
