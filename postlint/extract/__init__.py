"""Extractors: pure text -> value helpers, no rule logic."""

# Where images are looked for by default: here, so that the rules' option tables (and a warm run,
# which only builds them) do not import the image extractor.
DEFAULT_FRONT_MATTER_KEYS = ("image", "thumbnail", "cover", "og_image", "header.image", "header.teaser")
# Shortcodes whose body is shown as code (examples), not rendered: images inside point nowhere.
DEFAULT_CODE_SHORTCODES = ("highlight", "code", "code-toggle")
