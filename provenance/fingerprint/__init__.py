"""Fingerprints: the hashing core (token, shingle and MinHash hashes) and the features built on it."""
