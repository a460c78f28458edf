"""Extractors: pure text -> value helpers, no rule logic."""
