"""postlint: catch what breaks or embarrasses a published Markdown post."""

__version__ = "0.1.0"
