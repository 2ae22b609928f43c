"""Stage 3, the output folder: the only code that touches out/.

Modules: ``pages`` (reading what it holds), ``manifest`` (what the last build
wrote), ``paths`` (no writing outside it or through links), ``plan`` (what a
build would change), ``apply`` (doing it, all or nothing; writing reports).
"""
