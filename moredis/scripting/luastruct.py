"""placeholder"""


def struct_op(*args):
    return False, b"not ready"
