"""The same pages as a synthetic variants project, made by Hugo: one layout, one parameter file per program.

    python benchmarks/hugo_site.py PROJECT SITE

PROJECT is a synthetic project (synthetic.py), whose ``floor.md.j2`` is the
page as one flat template. SITE gets a Hugo site: that template translated to
Go's text/template as the only layout (a plain-text output format writing
``PROGRAM.md``), and for each override a content file whose front matter holds
the program's variables and its added question. ``hugo -s SITE -d OUT`` then
writes one page per program, the same size and shape as variants' pages:
what a user would set up in Hugo to make this family of pages.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

CONFIG = """\
baseURL: /
disableKinds: [home, section, taxonomy, term, RSS, sitemap, robotsTXT, 404]
uglyURLs: true
outputFormats:
  markdown:
    mediaType: text/markdown
    isPlainText: true
mediaTypes:
  text/markdown:
    suffixes: [md]
outputs:
  page: [markdown]
"""
_VARIABLE = re.compile(r"\{\{ (name|nav|name_in_text) \}\}")


def layout(floor: str) -> str:
    """The flat Jinja2 page as a Go template over the page's parameters."""
    text = floor
    for key in ("answer", "question", "id"):
        text = text.replace(f"{{{{ extra.{key} }}}}", f"{{{{ .Params.extra.{key} }}}}")
    return _VARIABLE.sub(r"{{ .Params.\1 }}", text)


def content(override: str) -> str:
    """A program's content file: its variables and its added question, texts already filled in."""
    data = yaml.safe_load(override)
    program = data["program"]
    name = program["name"]
    in_text = program.get("name_in_text", name)
    added = next(q for s in data.get("sections") or [] for q in s.get("questions") or [] if "question" in q)

    def fill(text: str) -> str:
        return text.replace("{{ name }}", name).replace("{{ name_in_text }}", in_text)

    params = {
        "title": name,
        "name": name,
        "name_in_text": in_text,
        "nav": program["nav"],
        "extra": {"id": added["id"], "question": fill(added["question"]), "answer": fill(added["answer"])},
    }
    return "---\n" + json.dumps(params, ensure_ascii=False) + "\n---\n"


def make_site(project: Path, site: Path) -> Path:
    (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (site / "content").mkdir(exist_ok=True)
    (site / "config.yaml").write_text(CONFIG, encoding="utf-8")
    floor = (project / "floor.md.j2").read_text(encoding="utf-8")
    (site / "layouts" / "_default" / "single.markdown.md").write_text(layout(floor), encoding="utf-8")
    for path in sorted((project / "overrides").glob("*.yml")):
        (site / "content" / f"{path.stem}.md").write_text(content(path.read_text(encoding="utf-8")), encoding="utf-8")
    return site


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: hugo_site.py PROJECT SITE")
    make_site(Path(sys.argv[1]), Path(sys.argv[2]))
