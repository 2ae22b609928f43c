"""``variants serve``: a local preview of every program's page, reloaded as the sources change."""

from __future__ import annotations

import click

from .app import main, project_dir


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--allow-remote", is_flag=True, help="Allow an address other machines can reach (the preview has no password)."
)
@click.pass_context
def serve(ctx: click.Context, port: int, host: str, allow_remote: bool) -> None:
    """Preview every program's page as the site shows it, differences from the base marked.

    Pages reload when a source changes; nothing is written. Stop with Ctrl-C.
    """
    import threading

    from ..preview import start_preview
    from .hints import worded

    preview = start_preview(project_dir(ctx), host, port, allow_remote, lambda p: worded(p).one_line())
    click.echo(f"previewing {project_dir(ctx)} at {preview.url} (Ctrl-C to stop)", err=True)
    try:
        threading.Event().wait()  # until Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
    click.echo("stopped", err=True)


__all__ = ["serve"]
