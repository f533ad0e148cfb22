"""Memory tied to code ranges and symbols, and whether the code it names is still there.

`snapshot` records what an anchor points at when a record is written; `status`
later compares it with the code as it is now, offline and deterministically.
"""
