"""``python -m rtlint``: the same as the ``rtlint`` command."""

from rtlint.cli import main

main()
