"""Value types of the keyspace beyond strings: one module per Redis type."""
