"""Entry point for ``python -m postlint``."""

from postlint.cli import main

if __name__ == "__main__":
    main()
