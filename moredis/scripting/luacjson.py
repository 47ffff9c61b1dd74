"""placeholder"""


def cjson_op(*args):
    return False, b"not ready"
