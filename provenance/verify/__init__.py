"""Verification: align two texts passage by passage and decide copy, quote-only or independent."""
