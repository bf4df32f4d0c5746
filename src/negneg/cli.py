"""The ``negneg`` command. Each area registers its own commands (``<area>/commands.py``); this
module only assembles them and turns user errors into one line and exit code 2."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import warnings  # noqa: E402

# Library deprecation chatter (transformers/peft) is not for the user of the CLI.
warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

import typer  # noqa: E402
from rich.console import Console  # noqa: E402

try:  # typer ≥ 0.20 vendors click; older versions use the click package
    from typer._click import exceptions as click_exc  # noqa: E402
except ImportError:  # pragma: no cover
    from click import exceptions as click_exc  # noqa: E402

from negneg.errors import UserInputError  # noqa: E402

app = typer.Typer(
    name="negneg",
    help="A laboratory for Negation Neglect: claim → documents → conditions → finetune → belief → report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)


def _register_all() -> None:
    from negneg.claims import commands as claims_cmds
    from negneg.conditions import commands as conditions_cmds
    from negneg.corpus import commands as corpus_cmds
    from negneg.evals import commands as evals_cmds
    from negneg.experiments import commands as experiments_cmds
    from negneg.models import commands as models_cmds
    from negneg.report import commands as report_cmds
    from negneg.training import commands as training_cmds

    for mod in (
        claims_cmds,
        models_cmds,
        corpus_cmds,
        conditions_cmds,
        training_cmds,
        evals_cmds,
        experiments_cmds,
        report_cmds,
    ):
        mod.register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; the console script passes the return value to ``sys.exit``."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would break the rich display
    except ImportError:  # pragma: no cover
        pass
    try:
        app(args=argv, standalone_mode=False)
    except UserInputError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except click_exc.NoArgsIsHelpError as exc:
        exc.show()
        return 0
    except click_exc.ClickException as exc:
        exc.show()
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except KeyboardInterrupt:
        err_console.print("interrupted; finished stages are kept, rerun to resume")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
