"""`python -m deconf` runs the command line as the installed `deconf` command does (with its
memory-limit supervision, `deconf.launch`)."""

from deconf.launch import main

main()
