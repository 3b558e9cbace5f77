"""Crash points for the fault tests: ``OUTCOMES_FAULT_AFTER=<point>`` makes the process kill
itself with SIGKILL when it passes that point, as a power cut there would.

``OUTCOMES_FAULT_PAUSE=<point>`` stops it there with SIGSTOP instead: frozen mid-step but
alive (its database sessions stay open), as a stalled instance would be, until a SIGCONT.

Read from the environment on each call (never from Settings: nothing but a test sets it, and
a crash point must cost nothing when unset). Points: ``input-accepted`` (an acceptance's
claim committed, its text not inserted yet) and ``input-inserted`` (the text committed in the
room, the provenance not recorded yet), in ``app/services/input_review.py``;
``note-claimed`` (a promotion's note claimed on the board, its text not inserted yet) and
``note-inserted`` (the text committed in the document room, the provenance not recorded yet),
in ``app/services/board.py``.
"""

import os
import signal

ENV = "OUTCOMES_FAULT_AFTER"
PAUSE_ENV = "OUTCOMES_FAULT_PAUSE"


def crash_point(name: str) -> None:
    """Die (or freeze) here, at once and without cleaning up, if the environment asks for
    ``name``."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(PAUSE_ENV) == name:
        os.kill(os.getpid(), signal.SIGSTOP)
