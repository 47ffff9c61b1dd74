"""placeholder"""


def msgpack_op(*args):
    return False, b"not ready"
