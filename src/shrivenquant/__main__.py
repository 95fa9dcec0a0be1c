"""Run the command line with ``python -m shrivenquant``."""

from shrivenquant.interfaces.cli.app import main

main()
