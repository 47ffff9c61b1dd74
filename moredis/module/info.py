"""Module INFO fields (RedisModule_RegisterInfoFunc and the InfoAdd* calls) and reading
the server's INFO back (RedisModule_GetServerInfo).

A module's INFO callback fills sections named `<module>_<section>` with fields named
`<module>_<field>`; dict fields print as `name:k=v,k=v`. The server's INFO (server/info.py)
asks every module through the provider registered on load.
"""

from __future__ import annotations

from typing import Any

from moredis.module import constants as K


class InfoCtx:
    """RedisModuleInfoCtx, filled by a module's INFO callback."""

    def __init__(self, module: Any, requested: set[str] | None) -> None:
        self.module = module
        self.requested = requested
        self.sections: list[tuple[str, list[str]]] = []
        self._current: list[str] | None = None
        self._dict: list[str] | None = None
        self._dict_name = ""
        self.for_crash_report = False

    def _wanted(self, section: str) -> bool:
        r = self.requested
        if r is None:
            return True
        return section.lower() in r or self.module.name.lower() in r

    def add_section(self, name: str | None = None) -> int:
        """RedisModule_InfoAddSection: None/"" means the module's default section."""
        self._end_dict()
        title = self.module.name if not name else f"{self.module.name}_{name}"
        if not self._wanted(title):
            self._current = None
            return K.ERR
        self._current = []
        self.sections.append((title, self._current))
        return K.OK

    def _field(self, name: str, value: str) -> int:
        if self._current is None and not self.sections:
            self.add_section()
        if self._current is None:
            return K.ERR
        if self._dict is not None:
            self._dict.append(f"{name}={value}")
        else:
            self._current.append(f"{self.module.name}_{name}:{value}")
        return K.OK

    def begin_dict_field(self, name: str) -> int:
        self._end_dict()
        if self._current is None and not self.sections:
            self.add_section()
        if self._current is None:
            return K.ERR
        self._dict = []
        self._dict_name = f"{self.module.name}_{name}"
        return K.OK

    def end_dict_field(self) -> int:
        self._end_dict()
        return K.OK

    def _end_dict(self) -> None:
        if self._dict is not None and self._current is not None:
            self._current.append(f"{self._dict_name}:{','.join(self._dict)}")
        self._dict = None

    def add_field_string(self, name: str, value: bytes | str) -> int:
        return self._field(name, value.decode("utf-8", "replace") if isinstance(value, bytes) else value)

    add_field_cstring = add_field_string

    def add_field_double(self, name: str, value: float) -> int:
        return self._field(name, "%.17g" % value)

    def add_field_long_long(self, name: str, value: int) -> int:
        return self._field(name, str(int(value)))

    add_field_ulong_long = add_field_long_long

    def finish(self) -> list[tuple[str, list[str]]]:
        self._end_dict()
        return self.sections


def provider(srv: Any):
    """The srv.info_providers entry that asks every loaded module for its sections."""

    def collect(requested: set[str] | None) -> list[tuple[str, list[str]]]:
        out: list[tuple[str, list[str]]] = []
        for m in list(srv.modules.modules.values()):
            if m.info_func is None:
                continue
            ictx = InfoCtx(m, requested)
            m.info_func(ictx, False)
            out.extend(ictx.finish())
        return out

    return collect


class ServerInfo:
    """RedisModuleServerInfoData: INFO's fields, parsed once."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields

    @classmethod
    def collect(cls, srv: Any, section: str | None) -> ServerInfo:
        from moredis.server.info import gen_info

        text = gen_info(srv, [section] if section else [])
        if isinstance(text, (bytes, bytearray)):
            text = text.decode("utf-8", "replace")
        fields: dict[str, str] = {}
        for line in text.splitlines():
            if not line or line.startswith("#") or ":" not in line:
                continue
            k, _, v = line.partition(":")
            fields[k] = v
        return cls(fields)

    def get_field(self, name: str) -> bytes | None:
        v = self.fields.get(name)
        return v.encode() if v is not None else None

    def get_field_c(self, name: str) -> str | None:
        return self.fields.get(name)

    def get_field_signed(self, name: str) -> int | None:
        try:
            return int(self.fields[name])
        except (KeyError, ValueError):
            return None

    get_field_unsigned = get_field_signed

    def get_field_double(self, name: str) -> float | None:
        try:
            return float(self.fields[name])
        except (KeyError, ValueError):
            return None

    def free(self) -> None:
        self.fields = {}
