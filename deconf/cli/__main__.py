"""`python -m deconf.cli` runs the command line (benchmarks use it)."""

from deconf.cli import main

main()
