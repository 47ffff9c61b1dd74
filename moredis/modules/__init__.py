"""Built-in modules, loaded at start-up unless `moredis-builtin-modules no` (each is a
package written only against moredis.module, loaded like MODULE LOAD would)."""

BUILTIN = [
    "moredis.modules.bloom",
]
