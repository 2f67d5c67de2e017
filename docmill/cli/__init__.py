"""The `docmill` command (Typer + Rich)."""

import os
import signal

if os.environ.get("DOCMILL_SUPERVISED") == "1":
    # A child of `docmill serve`. Ctrl-C in the terminal reaches the whole process group; until the command
    # installs its own stop handler (docmill.cli.signals), ignore it, so that a child caught while it is still
    # importing does not die of a KeyboardInterrupt traceback. The supervisor stops its children with SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
