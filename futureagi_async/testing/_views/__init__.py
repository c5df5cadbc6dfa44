"""The fake's views, one module per area of the client (`futureagi_async/resources/`).

A view takes the parsed request, the dataset, the `ViewOptions` and the ids in the path, and
returns a `Reply`. The app routes to them; nothing here knows about ASGI.
"""

from ._common import ViewOptions
from .run_tests import call_executions, get_run_test, list_run_tests
from .simulation import simulation_runs
from .test_executions import get_page

__all__ = [
    "ViewOptions",
    "call_executions",
    "get_page",
    "get_run_test",
    "list_run_tests",
    "simulation_runs",
]
