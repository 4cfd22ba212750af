"""``python -m kokoro_ui``: see `kokoro_ui.cli`."""

import sys

from kokoro_ui.cli import main

sys.exit(main())
