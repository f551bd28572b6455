"""python -m chalicelib.admin --stage STAGE COMMAND — see `--help`."""

import sys

from chalicelib.admin.cli import main

sys.exit(main())
