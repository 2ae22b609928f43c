"""``python -m variants``."""

from .cli import main

main(prog_name="variants")
