"""The rules of the election portal, in plain Python: no AWS, no clock reads, no I/O.

Value objects on the request path are NamedTuples rather than frozen dataclasses: defining
a frozen dataclass costs about 1 ms at import (its methods are generated and compiled), and
the Lambda pays that at every cold start (`make bench` measures it).
"""
