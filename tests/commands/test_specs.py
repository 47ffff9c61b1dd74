"""The command table: every spec has a handler and our own summary, and the table
matches what the reference server reports for arity, flags, keys and ACL categories."""

import json
from pathlib import Path

from moredis.commands import registry as R

SPEC_DIR = Path(R.__file__).parent / "specs"


def _walk(table):
    for name, spec in table.items():
        yield name, spec
        yield from _walk(spec.get("subcommands", {}))


def test_table_builds_and_every_spec_has_a_summary():
    table = R.build_table()
    assert table
    assert R.SKIPPED_SPEC_FILES == [], "spec files without any handler"
    for p in SPEC_DIR.glob("*.json"):
        for name, spec in _walk(json.loads(p.read_text())):
            assert spec.get("summary"), f"{name} in {p.name} has no summary"


def test_specs_match_reference_command_info(ref):
    from respclient import RawClient

    c = RawClient(port=ref.port, resp=2)
    table = R.build_table()
    for name, cmd in table.items():
        info = c.call("COMMAND", "INFO", name.decode())[0]
        assert info is not None, name
        assert info[1] == cmd.arity, name
        assert sorted(f.decode() for f in info[2]) == sorted(cmd.spec["flags"]), name
        assert [x.decode()[1:] for x in info[6]] == cmd.acl, name
        assert (info[3], info[4], info[5]) == (cmd.first_key, cmd.last_key, cmd.step), name
