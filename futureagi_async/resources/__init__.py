"""One module per API area: the endpoint methods, their parameters and their paths."""

from .run_tests import RunTests
from .simulation import Simulation
from .test_executions import TestExecutions

__all__ = ["RunTests", "Simulation", "TestExecutions"]
