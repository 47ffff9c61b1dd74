"""Redis file formats: RDB, AOF, DUMP payloads."""
