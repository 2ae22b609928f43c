"""Stage 2, the pipeline: merging the base with an override, rendering the page, building every program.

Modules: ``model`` (the merged page), ``merge``, ``texts`` (one text in the
sandbox), ``render`` (the page template), ``frontmatter``, ``build`` (the one
build object every command consumes), ``pool`` (forked workers).
"""
