"""The HTML report's style sheet, and the Content-Security-Policy that allows it and nothing else.

Light and dark (``prefers-color-scheme``); wide tables scroll inside their own box, with
their headers and first column kept in view, so the page itself never scrolls sideways.
"""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--head:#f6f8fa;
--old:#ffebe9;--new:#dafbe1;--del:#ff818266;--ins:#abf2bc;--warn:#fff8c5;--warn-line:#d4a72c;
--program:#0969da;--content:#9a6700;--formatting:#8250df;--removed:#cf222e;--added:#1a7f37;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--head:#161b22;
--old:#4b1818;--new:#12361f;--del:#f8514966;--ins:#2ea04366;--warn:#3b2e05;--warn-line:#9e6a03;
--program:#4493f8;--content:#d29922;--formatting:#ab7df8;--removed:#f85149;--added:#3fb950;--link:#4493f8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:var(--bg);color:var(--fg);overflow-wrap:anywhere}
main{max-width:1320px;margin:0 auto;padding:0 1rem 3rem}
a{color:var(--link)}
h1{font-size:1.6rem;margin:1.2rem 0 .2rem}h2{font-size:1.25rem;border-bottom:1px solid var(--line);padding-bottom:.2em;margin-top:2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
code,.text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.text{white-space:pre-wrap}
.note{color:var(--muted)}
nav.toc{margin:.8rem 0}nav.toc ul{display:flex;flex-wrap:wrap;gap:.2rem 1.1rem;list-style:none;margin:.2rem 0;padding:0}
nav.toc ul ul{display:inline-flex;gap:.2rem .8rem;margin:0 0 0 .6rem;font-size:.93em}
.banner{border:1px solid var(--warn-line);background:var(--warn);border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.banner ul{margin:.3rem 0 0;padding-left:1.2rem}
.scroll{overflow:auto;width:fit-content;max-width:100%;border:1px solid var(--line);border-radius:6px;margin:.5rem 0 1rem}
.scroll:has(.sbs){width:auto}
.scroll.tall{max-height:75vh}
table{border-collapse:separate;border-spacing:0;width:max-content}
th,td{border-bottom:1px solid var(--line);border-right:1px solid var(--line);padding:.3rem .6rem;text-align:left;vertical-align:top}
thead th{position:sticky;top:0;background:var(--head);z-index:2}
tbody th{position:sticky;left:0;background:var(--head);z-index:1;font-weight:normal}
thead th:first-child{left:0;z-index:3}
.matrix td{white-space:nowrap}.matrix small{display:block;font-weight:normal;color:var(--muted);max-width:16rem;white-space:normal;font-size:12px;line-height:1.3}
.matrix tbody th{max-width:18rem}
.sbs{table-layout:fixed;width:100%;min-width:34rem}.sbs col.f{width:8.5rem}
td.old{background:var(--old)}td.new{background:var(--new)}td.gap{background:var(--head)}
del{background:var(--del);text-decoration:line-through}ins{background:var(--ins);text-decoration:none}
.blank{color:var(--muted);font-style:italic}
.s-replaced{color:var(--content);font-weight:600}.s-formatting{color:var(--formatting)}.s-removed{color:var(--removed)}
.s-added{color:var(--added)}.s-component{color:var(--program)}.s-absent{color:var(--muted)}
.s-edited,.s-stale,.s-missing,.s-extra{color:var(--removed);font-weight:600}
.cat{font-size:11px;text-transform:uppercase;border-radius:3px;padding:0 .3em;border:1px solid currentColor}
.cat-program{color:var(--program)}.cat-content{color:var(--content)}.cat-formatting{color:var(--formatting)}
.why{display:block;color:var(--muted);font-style:italic}.delta{font-weight:600}
ul.statements{padding-left:1.2rem}ul.statements li{margin:.25rem 0}
@media (max-width:640px){main{padding:0 .5rem 2rem}.sbs{min-width:0}.sbs col.f{width:4.6rem}
.sbs th,.sbs td{padding:.25rem .35rem}.text{font-size:12px}}
details.program{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;margin:.6rem 0}
details.program>summary{cursor:pointer;font-weight:600}
details.program[open]>summary{margin-bottom:.4rem}
"""

CSP = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(CSS.strip().encode()).digest()).decode()}'; "
    "img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'"
)

__all__ = ["CSP", "CSS"]
