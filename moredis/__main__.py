"""`python -m moredis`: the same as the `moredis` command."""

import sys

from moredis.cli import main

sys.exit(main())
