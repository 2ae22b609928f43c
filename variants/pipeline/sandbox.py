"""The sandbox texts and templates render in: Jinja's, with limits on what a render may spend.

Jinja's sandbox keeps templates away from Python's internals; these limits keep
them from spending the machine. No string may grow past ``MAX_SIZE``
characters, nor a list past ``MAX_SIZE`` items, whether by ``*``, ``+``, ``~``,
``%``, a width given to a filter or a method, or the output of a template or
macro; no number past ``MAX_INT_BITS`` bits; ``lipsum`` writes at most
``MAX_LIPSUM_WORDS`` words (``range`` is Jinja's, at most 100,000 numbers). A page,
and a text rendered on its own, may use at most ``RENDER_SECONDS`` of CPU time
(where the platform has interval timers). Each ends in an ordinary template error,
located at the text, or the template line, that spent it.
"""

from __future__ import annotations

import functools
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from string import Formatter
from typing import Any

from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.nodes import Concat
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from ..problems import Loc
from .watchdog import watchdog

MAX_SIZE = 16 * 1024 * 1024  # characters of a string, items of a list
MAX_INT_BITS = 64 * 1024
MAX_LIPSUM_WORDS = 100_000
RENDER_SECONDS = 2.0  # of CPU time, for one page or one text
_SIZED = (str, list, tuple, bytes, dict, set)
_DIGITS = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class LimitError(SecurityError):
    """What a template asked for is more than a render may spend."""


class OutOfTime(BaseException):
    """A render ran past its CPU time. Not an ``Exception``: nothing on the way out may take it for
    an ordinary error and go on rendering."""

    def __init__(self) -> None:
        super().__init__()
        self.loc: Loc | None = None  # the text or template line it was in, once known


def out_of_time_message() -> str:
    """What a render that ran out of time is told."""
    return f"rendering takes more than {RENDER_SECONDS:g} seconds of CPU time, the limit (a loop that runs too long?)"


def _too_big(size: int) -> LimitError:
    return LimitError(f"a result of {size} characters or items is more than the limit of {MAX_SIZE}")


def checked(value: Any) -> Any:
    """``value``, if it is within the size limit."""
    if isinstance(value, _SIZED) and len(value) > MAX_SIZE:
        raise _too_big(len(value))
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise LimitError(f"a number of more than {MAX_INT_BITS} bits is more than the limit")
    return value


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _count(value: Any) -> int:
    """A whole number used as a width or a count (0 for anything else)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _check_widths(spec: str, args: Any) -> None:
    """Widths and precisions in a format spec, or given by the arguments of a ``*`` or ``{}`` in it."""
    widths = [MAX_SIZE + 1 if len(digits) > 9 else int(digits) for digits in _DIGITS.findall(spec)]
    if "*" in spec or "{" in spec:
        values = args.values() if isinstance(args, dict) else args if isinstance(args, tuple) else (args,)
        widths += [_count(value) for value in values]
    if widths and max(widths) > MAX_SIZE:
        raise LimitError(f"a width of more than {MAX_SIZE} characters is more than the limit")


def _check_percent(template: str, args: Any) -> None:
    _check_widths("".join(m.group() for m in _PERCENT_SPEC.finditer(template)), args)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if _size(seq) and isinstance(times, int) and _size(seq) * max(times, 0) > MAX_SIZE:
                raise _too_big(_size(seq) * times)
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise LimitError(f"a number of more than {MAX_INT_BITS} bits is more than the limit")
    elif operator == "+" and _size(left) + _size(right) > MAX_SIZE:
        raise _too_big(_size(left) + _size(right))
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right > 0 and left.bit_length() * right > MAX_INT_BITS:
            raise LimitError(f"a number of more than {MAX_INT_BITS} bits is more than the limit")
    elif operator == "%" and isinstance(left, str):
        _check_percent(left, right)


def _check_method(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The str methods whose result grows with an argument: widths, joins and replacements."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if not isinstance(owner, str):
        return
    if name in _WIDTH_METHODS:
        width = _count(args[0]) if args else _count(kwargs.get("width", kwargs.get("tabsize", 0)))
        if name == "expandtabs":
            width *= max(1, owner.count("\t"))
        if width > MAX_SIZE:
            raise LimitError(f"a width of more than {MAX_SIZE} characters is more than the limit")
    elif name == "join" and args and isinstance(args[0], (list, tuple)):
        if len(owner) * len(args[0]) > MAX_SIZE:
            raise _too_big(len(owner) * len(args[0]))
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = owner.count(args[0]) if args[0] else len(owner) + 1
        if count * len(args[1]) > MAX_SIZE:
            raise _too_big(count * len(args[1]))


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Jinja's ``lipsum``, bounded."""
    if _count(n) * _count(max) > MAX_LIPSUM_WORDS:
        raise LimitError(f"lipsum of more than {MAX_LIPSUM_WORDS} words is more than the limit")
    return generate_lorem_ipsum(n, html, min, max)


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str, default: Any = None) -> Any:
    """A filter's argument, given by position or by name."""
    return args[index] if len(args) > index else kwargs.get(name, default)


def _width(value: Any) -> None:
    if _count(value) > MAX_SIZE:
        raise LimitError(f"a width or count of more than {MAX_SIZE} is more than the limit")


def _per_line(lines: int, added: Any) -> None:
    """A text added to each of ``lines`` lines (indent's, wordwrap's)."""
    if isinstance(added, str) and lines * len(added) > MAX_SIZE:
        raise _too_big(lines * len(added))


def _replacing(text: str, old: str, new: str, count: Any) -> None:
    found = text.count(old) if old else len(text) + 1
    found = min(found, _count(count)) if _count(count) else found
    if found * len(new) > MAX_SIZE:
        raise _too_big(found * len(new))


def _indent(text: Any, width: Any) -> None:
    _width(width)
    _per_line(_lines(text), width)


def _lines(text: Any) -> int:
    return str(text).count("\n") + 1


def _wrapped_lines(text: Any, width: Any) -> int:
    return len(str(text)) // max(1, _count(width)) + _lines(text)


# The built-in filters whose result can grow past their input, each checked before it runs. How
# Jinja calls them: wordwrap gets the environment first, slice and replace the eval context.
_FILTER_CHECKS: dict[str, Callable[[tuple[Any, ...], dict[str, Any]], None]] = {
    "center": lambda a, k: _width(_arg(a, k, 1, "width")),
    "indent": lambda a, k: _indent(_arg(a, k, 0, "s", ""), _arg(a, k, 1, "width", 4)),
    "wordwrap": lambda a, k: _per_line(
        _wrapped_lines(_arg(a, k, 1, "s", ""), _arg(a, k, 2, "width", 79)), _arg(a, k, 4, "wrapstring")
    ),
    "batch": lambda a, k: _width(_arg(a, k, 1, "linecount")),
    "slice": lambda a, k: _width(_arg(a, k, 2, "slices")),
    "format": lambda a, k: _check_percent(str(a[0]) if a else "", k or a[1:]),
    "replace": lambda a, k: _replacing(
        str(_arg(a, k, 1, "s", "")),
        str(_arg(a, k, 2, "old", "")),
        str(_arg(a, k, 3, "new", "")),
        _arg(a, k, 4, "count"),
    ),
}


def _filter(func: Callable[..., Any], check: Callable[[tuple[Any, ...], dict[str, Any]], None]) -> Callable[..., Any]:
    """A built-in filter, checked before it runs, and its result after."""

    @functools.wraps(func)  # keeps Jinja's marks (what the filter is passed)
    def limited(*args: Any, **kwargs: Any) -> Any:
        check(args, kwargs)
        return checked(func(*args, **kwargs))

    return limited


def _join_filter(func: Callable[..., Any]) -> Callable[..., Any]:
    """``join``: the items are counted (and so read once) before they are joined."""

    @functools.wraps(func)
    def join(eval_ctx: Any, value: Any, d: Any = "", attribute: Any = None) -> Any:
        items = list(value)
        if len(items) * len(str(d)) > MAX_SIZE:
            raise _too_big(len(items) * len(str(d)))
        return checked(func(eval_ctx, items, d, attribute))

    return join


class _Generator(CodeGenerator):
    """Writes ``a ~ b`` as a join the environment checks before it is made."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.limited_join({join}, (")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")


class LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with the limits of this module."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["lipsum"] = _lipsum
        for name, check in _FILTER_CHECKS.items():
            self.filters[name] = _filter(self.filters[name], check)
        self.filters["join"] = _join_filter(self.filters["join"])

    @staticmethod
    def concat(pieces: Any) -> str:
        """How a template's (and a macro's) output is joined: refused once it is too long, at the
        template line that made it too long (the error is raised inside the template, at its yield)."""
        if isinstance(pieces, list):  # a macro's output
            if sum(map(len, pieces)) > MAX_SIZE:
                raise LimitError(f"the output is longer than the limit of {MAX_SIZE} characters")
            return "".join(pieces)
        parts: list[str] = []
        size = 0
        for piece in pieces:
            size += len(piece)
            if size > MAX_SIZE:
                pieces.throw(LimitError(f"the output is longer than the limit of {MAX_SIZE} characters"))
            parts.append(piece)
        return "".join(parts)

    @staticmethod
    def limited_join(join: Callable[[Any], str], parts: tuple[Any, ...]) -> str:
        """``a ~ b ~ ...``, refused before it is made when it would be too long."""
        size = sum(len(p) if isinstance(p, str) else len(str(p)) for p in parts)
        if size > MAX_SIZE:
            raise _too_big(size)
        return join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return checked(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_method(__obj, args, kwargs)
        result = checked(super().call(__context, __obj, *args, **kwargs))
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (list, dict, set)):  # list.append, dict.update, ...: the object grew
            checked(owner)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        template = value.__self__

        def limited(*args: Any, **kwargs: Any) -> str:
            specs = "".join(spec or "" for _, _, spec, _ in Formatter().parse(template))
            _check_widths(specs, (*args, *kwargs.values(), *(a for a in args if isinstance(a, dict))))
            return checked(wrapped(*args, **kwargs))  # type: ignore[no-any-return]

        return limited


_local = threading.local()  # per thread: whether a deadline is running (one inside it adds nothing)


def _expired(signum: int, frame: Any) -> None:
    if running():
        raise OutOfTime


def running() -> bool:
    """Whether a deadline is running in this thread (then what runs inside is within its time)."""
    return bool(getattr(_local, "running", False))


_installed = False  # the timer's handler, set once per process (it acts only while a deadline runs)


@contextmanager
def deadline(seconds: float | None = None) -> Iterator[bool]:
    """At most ``seconds`` (``RENDER_SECONDS``) of CPU time for what runs inside; yields whether this
    is the outermost deadline (the one that will report running out). The main thread uses an
    interval timer; another thread (the preview server's) a watchdog on its own CPU clock."""
    global _installed
    limit = RENDER_SECONDS if seconds is None else seconds
    main = threading.current_thread() is threading.main_thread()
    if running() or not (hasattr(signal, "setitimer") if main else hasattr(time, "pthread_getcpuclockid")):
        yield False
        return
    _local.running = True
    try:
        if not main:
            with watchdog(limit, OutOfTime):
                yield True
            return
        if not _installed:
            signal.signal(signal.SIGPROF, _expired)
            _installed = True
        signal.setitimer(signal.ITIMER_PROF, limit)
        try:
            yield True
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    finally:
        _local.running = False


def template_line(exc: BaseException) -> Loc | None:
    """The innermost template file and line an exception went through, for one Jinja did not
    rewrite (``OutOfTime``): Jinja keeps each compiled template in its code's globals."""
    found: Loc | None = None
    tb = exc.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        filename = getattr(template, "filename", None) or ""
        if template is not None and filename.startswith("base/"):
            found = Loc(filename, template.get_corresponding_lineno(tb.tb_lineno))
        tb = tb.tb_next
    return found


__all__ = [
    "MAX_INT_BITS",
    "MAX_LIPSUM_WORDS",
    "MAX_SIZE",
    "RENDER_SECONDS",
    "LimitError",
    "LimitedSandbox",
    "OutOfTime",
    "checked",
    "deadline",
    "out_of_time_message",
    "running",
    "template_line",
]
