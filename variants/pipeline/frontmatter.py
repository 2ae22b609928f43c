"""Front matter: the rendered values written as YAML, as PyYAML would write them."""

from __future__ import annotations

import re
from typing import Any

import yaml

DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Text that YAML writes unquoted, character for character: no indicators, no
# leading or trailing space. Whether it would read back as text (not a number,
# a boolean or null) is the resolver's question, asked separately.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_ .,/()-]*[A-Za-z0-9_.)]|[A-Za-z_]")
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()


def _resolve(text: str) -> str:
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _writes_unquoted(text: str) -> bool:
    return bool(_PLAIN.fullmatch(text)) and "  " not in text and _resolve(text) == _STR_TAG


def dump_front_matter(values: dict[str, Any]) -> str:
    """The front matter as YAML: simple texts written directly, the rest by PyYAML (quoted as needed;
    true, 3 or a list written as those types)."""
    if all(isinstance(v, str) and _writes_unquoted(k) and _writes_unquoted(v) for k, v in values.items()):
        return "".join(f"{key}: {value}\n" for key, value in values.items())
    return yaml.dump(
        values, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )


__all__ = ["DUMPER", "dump_front_matter"]
