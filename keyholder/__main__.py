import sys

from keyholder.commands import main

sys.exit(main(sys.argv[1:]))
