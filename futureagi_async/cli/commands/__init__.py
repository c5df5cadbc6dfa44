"""One module per command, each with `register(commands)` adding its parser."""

from . import calls, demo, executions, export, fake_server, gate, mcp, run_tests, runs, watch

__all__ = ["ALL"]

#: In the order `--help` lists them.
ALL = (run_tests, calls, executions, runs, export, gate, watch, mcp, fake_server, demo)
