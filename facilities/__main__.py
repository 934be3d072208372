import sys

from facilities.cli import main

sys.exit(main())
