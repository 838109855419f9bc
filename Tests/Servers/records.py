"""Record files of the test servers: JSON lines that a test reads while the server may still be writing.

Each record is appended with one write(2) on an O_APPEND descriptor, so records never interleave and a reader
sees whole records, except at worst the last one while it is being written; readers (RecordFile.swift in the
tests) skip a last line without its newline and see it on their next read.
"""

import json
import os


def append_record(path, entry):
    """Appends `entry` to the JSON-lines file at `path` as one whole line."""
    data = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", errors="surrogateescape")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:  # a regular file takes it in one write; the loop only guards a short write
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
