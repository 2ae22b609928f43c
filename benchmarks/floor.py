"""The floor: what building N pages costs with PyYAML and Jinja2 alone, as one process.

    python benchmarks/floor.py PROJECT OUT

Reads every ``PROJECT/overrides/*.yml`` with PyYAML (its C loader where present),
renders ``PROJECT/floor.md.j2`` (one compiled template: the page as a plain
Jinja2 file, see synthetic.py) once per override with the program's variables,
and writes one file per override into OUT. No validation, no merging, no
sandbox: the least any tool doing this job must spend.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import jinja2
import yaml

Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
OUTPUT_PATTERN = "{slug}-faq.md"


def added_question(data: dict[str, Any]) -> dict[str, Any]:
    """The first question the override adds (one with a question text)."""
    for section in data.get("sections") or []:
        for question in section.get("questions") or []:
            if "question" in question:
                return question
    return {"id": "", "question": "", "answer": ""}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: floor.py PROJECT OUT", file=sys.stderr)
        return 2
    project, out = Path(argv[0]), Path(argv[1])
    env = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    template = env.from_string((project / "floor.md.j2").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted((project / "overrides").glob("*.yml")):
        with path.open(encoding="utf-8") as stream:
            data = yaml.load(stream.read(), Loader=Loader)
        program = data["program"]
        text = template.render(
            name=program["name"],
            name_in_text=program.get("name_in_text", program["name"]),
            nav=program["nav"],
            extra=added_question(data),
        )
        with open(out / OUTPUT_PATTERN.format(slug=path.stem), "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        count += 1
    print(f"{count} pages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
