"""``python -m rtlint``: the same as the ``rtlint`` command."""

from rtlint.replay import main

main()
