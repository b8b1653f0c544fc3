import sys

from multus_lint.cli import main

sys.exit(main())
