"""Built-in modules: Redis Stack's features written against moredis.module only.

The server loads every module named in BUILTIN at start (unless started with
`--moredis-builtin-modules no`), exactly as MODULE LOAD would. Each is a package with
`on_load(ctx, args)`; none imports anything from moredis but `moredis.module`
(tests/modules/test_builtin_imports.py checks it).
"""

BUILTIN = [
    "moredis.modules.json",
    "moredis.modules.bloom",
]
