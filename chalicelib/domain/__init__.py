"""The rules of the election portal, in plain Python: no AWS, no clock reads, no I/O."""
