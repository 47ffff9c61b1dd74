"""placeholder"""


def bit_op(*args):
    return False, b"not ready"
