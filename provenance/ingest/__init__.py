"""Ingest: files and records in, `Document`s out (decoding, HTML main text, markup and chrome removal), kept
for a scan with their texts on disk (`stored`)."""
