"""The `prov` command: global options, command registration, one place for errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from cli.commands import (
    approve,
    audit,
    check,
    classify,
    declare,
    escalations,
    ls,
    policy,
    reported,
    scan,
    show,
    status,
    watch,
)
from cli.context import AppContext
from cli.errors import EXIT_INTERRUPTED, handled, report
from provenance.config import find_config, load_settings


class ProvGroup(click.Group):
    """Runs a command and turns known errors into `error:`/`hint:` lines and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            # A command may say what was done before it (scan: the files recorded).
            click.echo(f"interrupted: {exc}" if str(exc) else "interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `prov ls | head`: the reader left; not an error. Point stdout at /dev/null so
            # the interpreter's final flush does not complain again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - the one place errors become exit codes
            debug = isinstance(ctx.obj, AppContext) and ctx.obj.debug
            if not handled(exc) and debug:
                raise
            ctx.exit(report(exc, debug=debug))
        finally:
            if isinstance(ctx.obj, AppContext):
                ctx.obj.close()


@click.group(cls=ProvGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="PROV_DB",
    metavar="URL|PATH",
    help="Catalog: a SQLite file path or a SQLAlchemy URL "
    "(postgresql+psycopg://user@host/db). Default: [catalog] db of prov.toml, else prov.db "
    "beside prov.toml, else prov.db here.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: PROV_CONFIG, else the nearest prov.toml in this folder or above).",
)
@click.option(
    "--trust-anchors",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="PEM",
    help="CA certificates to trust: files they signed read as Trusted.",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="GenAI risk policy file (default: [policy] file in the config, else the shipped one).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or summaries on stderr.")
@click.version_option(package_name="prov")
@click.pass_context
def prov(
    ctx: click.Context,
    db: str | None,
    config_path: Path | None,
    trust_anchors: Path | None,
    policy_file: Path | None,
    debug: bool,
    quiet: bool,
) -> None:
    """Track where media came from and how much generative AI went into it.

    prov reads C2PA Content Credentials from delivered media, records every file in a
    catalog with its validation state and genAI evidence, and lets you query it.

    \b
    Typical use:
      prov scan deliveries/            # record every file (progress on stderr)
      prov ls --ai generated,edited    # what involves generative AI
      prov show deliveries/shot.exr    # credentials, ingredients, evidence
      prov escalations                 # what the genAI policy says needs a decision
      prov reported FILE --to NAME --ref REF   # genAI use reported to the studio
      prov check deliveries/           # delivery gate: exit 3 while approvals are missing

    Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 failures,
    2 usage, 3 policy gate failed, 130 interrupted.
    """
    try:
        settings = load_settings(find_config(config_path))
    except Exception as exc:  # noqa: BLE001 - reported like any other error, before commands
        ctx.exit(report(exc, debug=debug))
    ctx.obj = AppContext(settings, db=db, trust_anchors=trust_anchors, debug=debug, quiet=quiet)
    ctx.obj.policy_file = policy_file


prov.add_command(scan.scan)
prov.add_command(ls.ls)
prov.add_command(show.show)
prov.add_command(watch.watch)
prov.add_command(status.status)
prov.add_command(policy.policy)
prov.add_command(declare.declare)
prov.add_command(classify.classify)
prov.add_command(escalations.escalations)
prov.add_command(approve.approve)
prov.add_command(approve.reject)
prov.add_command(reported.reported)
prov.add_command(audit.audit)
prov.add_command(check.check)


def main() -> None:
    sys.exit(prov.main(standalone_mode=True))


if __name__ == "__main__":  # pragma: no cover
    main()
