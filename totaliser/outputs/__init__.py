"""One module per kind of output. Each takes checked content and settings and
returns text or bytes; none of them reads content files or writes the disk."""
