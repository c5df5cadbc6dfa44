"""`python -m futureagi_async`: the same command line as the `futureagi-async` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
