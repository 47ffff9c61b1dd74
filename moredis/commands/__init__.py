"""Command handlers, one file per Redis command group, and their specs (specs/*.json)."""
