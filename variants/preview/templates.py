"""The preview's HTML: one frame, the index of programs, a program's page, the sources' problems.

Jinja2 with autoescape: every text from the sources is escaped, except the page
itself, which is the site's HTML on purpose. Styles and the script carry the
response's nonce; the Content-Security-Policy allows nothing else.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

STYLE = """
* { box-sizing: border-box; }
body { margin: 0; color: #1f2328; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: #0b5cad; }
[id] { scroll-margin-top: 3.5rem; }
.v-bar { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center;
  padding: .5rem 1rem; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; font-size: .875rem; }
.v-bar .v-home { font-weight: 600; text-decoration: none; color: #1f2328; white-space: nowrap; }
.v-bar nav { display: flex; flex-wrap: wrap; gap: .25rem; }
.v-bar nav a, .v-switch a { padding: .05rem .5rem; border: 1px solid #d1d9e0; border-radius: 999px;
  text-decoration: none; background: #fff; overflow-wrap: anywhere; }
.v-bar nav a[aria-current], .v-switch a[aria-current] { background: #0b5cad; border-color: #0b5cad; color: #fff; }
.v-layout { display: grid; grid-template-columns: minmax(0, 1fr) 22rem; gap: 2rem; max-width: 84rem;
  margin: 0 auto; padding: 1rem 1.5rem 4rem; }
.v-page { min-width: 0; overflow-wrap: anywhere; }
.v-page img { max-width: 100%; height: auto; }
.v-page pre { overflow-x: auto; }
.v-notes { font-size: .875rem; color: #59636e; min-width: 0; overflow-wrap: anywhere; }
.v-notes section { position: sticky; top: 3.5rem; max-height: calc(100vh - 4.5rem); overflow-y: auto; }
.v-notes h2 { font-size: 1rem; color: #1f2328; margin: .5rem 0; }
.v-notes ul { padding-left: 1rem; margin: 0; }
.v-notes li { margin: .25rem 0; }
.v-notes code, .v-label { font: .8rem/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
.v-front { font-size: .875rem; color: #59636e; }
.v-front pre { background: #f6f8fa; padding: .5rem; border-radius: 6px; white-space: pre-wrap; }
.v-mark { position: relative; margin: .25rem 0 .25rem -.75rem; padding: .1rem .5rem .1rem .6rem;
  border-left: 4px solid #bf8700; background: #fff8c5; }
.v-mark.v-added { border-color: #1a7f37; background: #dafbe1; }
.v-mark.v-component { border-color: #8250df; background: #fbefff; }
.v-mark.v-formatting { border-color: #9aa4ad; background: #f6f8fa; }
.v-mark.v-removed { border-color: #cf222e; background: #ffebe9; color: #59636e; }
.v-mark.v-removed ul { margin: .25rem 0; }
.v-label { color: #59636e; }
.v-switch { display: flex; flex-wrap: wrap; gap: .25rem; align-items: center; margin: 1rem 0 0; font-size: .75rem; }
.v-switch span { color: #59636e; }
.v-problems li { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; color: #cf222e; }
table.v-index { border-collapse: collapse; width: 100%; font-size: .925rem; overflow-wrap: normal; }
.v-index th { white-space: nowrap; }
.v-index th, .v-index td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #d1d9e0; vertical-align: top; }
.v-index td { overflow-wrap: break-word; }
.v-count { font-variant-numeric: tabular-nums; }
@media (max-width: 900px) {
  .v-bar { position: static; flex-wrap: nowrap; }
  .v-bar nav { flex-wrap: nowrap; overflow-x: auto; min-width: 0; }
  .v-bar nav a { white-space: nowrap; }
  .v-layout { grid-template-columns: minmax(0, 1fr); padding: .75rem .9rem 3rem; gap: 1rem; }
  .v-notes section { position: static; max-height: none; }
  .v-mark { margin-left: -.5rem; }
  .v-index .v-wide { display: none; }
}
"""

# Reload when a source changes; switching program keeps the question in view.
SCRIPT = """
(() => {
  const generation = document.documentElement.dataset.generation;
  const events = new EventSource("/events?since=" + encodeURIComponent(generation));
  events.onmessage = () => { events.close(); location.reload(); };
  for (const link of document.querySelectorAll("a[data-keep-place]")) {
    link.addEventListener("click", () => { if (location.hash) link.hash = location.hash; });
  }
})();
"""

FRAME = """<!doctype html>
<html lang="en" data-generation="{{ generation }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · variants preview</title>
<style nonce="{{ nonce }}">{{ style|safe }}</style>
</head>
<body>
<header class="v-bar">
<a class="v-home" href="/">variants preview</a>
{% if programs %}<nav aria-label="Programs">{% for p in programs %}<a href="/p/{{ p.slug }}" data-keep-place{% if p.slug == current %} aria-current="page"{% endif %}>{{ p.slug }}</a>{% endfor %}</nav>{% endif %}
</header>
<main class="v-layout">{% block main %}{% endblock %}</main>
<script nonce="{{ nonce }}">{{ script|safe }}</script>
</body>
</html>
"""

INDEX = """{% extends "frame" %}{% block main %}
<article class="v-page">
<h1>Programs</h1>
<p>Each program's page as the site shows it, its differences from the base marked in place.</p>
<table class="v-index">
<thead><tr><th>program</th><th class="v-wide">name</th><th class="v-wide">page</th><th>changed</th><th>added</th><th>removed</th></tr></thead>
<tbody>
{% for p in programs %}<tr><td><a href="/p/{{ p.slug }}">{{ p.slug }}</a></td><td class="v-wide">{{ p.name }}</td><td class="v-wide"><code>{{ p.output }}</code></td>
<td class="v-count">{{ p.changed }}</td><td class="v-count">{{ p.added }}</td><td class="v-count">{{ p.removed }}</td></tr>
{% endfor %}</tbody>
</table>
</article>
<aside class="v-notes"><section><h2>Project</h2><p><code>{{ root }}</code></p>
<p>The preview rebuilds from the sources when they change and reloads this page; it writes nothing.</p></section></aside>
{% endblock %}"""

PROGRAM = """{% extends "frame" %}{% block main %}
<article class="v-page">
{% if front_matter %}<details class="v-front"><summary>front matter</summary><pre>{{ front_matter }}</pre></details>{% endif %}
{{ html|safe }}
</article>
<aside class="v-notes"><section>
<h2>{{ current }}: what differs from the base</h2>
<p><code>{{ source }}</code> → <code>{{ output }}</code></p>
{% if notes %}<ul>{% for n in notes %}<li>{% if n.link %}<a href="#{{ n.link }}">{% endif %}<span>[{{ n.category }}]</span> {{ n.text }}{% if n.link %}</a>{% endif %}{% if n.where %}<br><code>{{ n.where }}</code>{% endif %}</li>{% endfor %}</ul>
{% else %}<p>Nothing: this page is the base with the program's values.</p>{% endif %}
</section></aside>
{% endblock %}"""

SWITCH = """<nav class="v-switch" aria-label="This question in other programs"><span>this question in:</span>
{% for p in places %}<a href="/p/{{ p.slug }}#{{ p.fragment }}" class="v-{{ p.state }}"{% if p.slug == current %} aria-current="page"{% endif %}>{{ p.slug }}</a>{% endfor %}</nav>
"""

PROBLEMS = """{% extends "frame" %}{% block main %}
<article class="v-page">
<h1>The sources have problems</h1>
<p>Nothing can be shown until they are fixed; this page reloads when a source changes.</p>
<ul class="v-problems">{% for p in problems %}<li>{{ p }}</li>{% endfor %}</ul>
</article>
{% endblock %}"""

NOT_FOUND = """{% extends "frame" %}{% block main %}
<article class="v-page"><h1>Not found</h1><p>There is no page here. <a href="/">All programs</a></p></article>
{% endblock %}"""

TEMPLATES = {
    "frame": FRAME,
    "index": INDEX,
    "program": PROGRAM,
    "switch": SWITCH,
    "problems": PROBLEMS,
    "not-found": NOT_FOUND,
}


@cache
def environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined)


def page(name: str, **context: Any) -> str:
    """One of the TEMPLATES filled in, with the style and script the frame carries."""
    return environment().get_template(name).render(style=STYLE, script=SCRIPT, **context)


__all__ = ["PROBLEMS", "SCRIPT", "STYLE", "TEMPLATES", "environment", "page"]
