"""Values moved between keys by generic commands keep their type's bookkeeping."""

import time


def test_renamed_hash_fields_expire_actively(r):
    r.hset("h", mapping={"a": 1, "b": 2})
    r.execute_command("HPEXPIRE", "h", 50, "FIELDS", 1, "a")
    r.rename("h", "h2")
    r.copy("h2", "h3")
    r.move("h3", 1)
    time.sleep(0.4)
    assert r.hlen("h2") == 1
    r.execute_command("SELECT", 1)
    assert r.hlen("h3") == 1
    r.execute_command("SELECT", 0)
