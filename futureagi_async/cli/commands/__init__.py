"""One module per command, each with `register(commands)` adding its parser."""

from . import calls, demo, executions, export, fake_server, gate, run_tests, runs, watch

__all__ = ["ALL"]

#: In the order `--help` lists them.
ALL = (run_tests, calls, executions, runs, export, gate, watch, fake_server, demo)
