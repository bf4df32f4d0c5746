"""The ``negneg`` command. Each area registers its own commands (``<area>/commands.py``); this
module only assembles them and turns user errors into one line and exit code 2.

What the user sees on failure:

* any :class:`~negneg.errors.NegnegError` (a malformed file, an unknown name, a refused output
  dir, a server that keeps failing, a training run stopped on NaN) and any usage error (a bad
  option value, an unknown option) → one line ``error: …`` on stderr, exit code 2;
* an operating-system refusal that names a file (permission denied, a directory where a file
  was expected, disk full) → one line naming the file, exit code 2;
* anything else is a bug in negneg → the traceback, a line asking to report it, exit code 1.
"""

from __future__ import annotations

import errno
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

from negneg.errors import NegnegError  # noqa: E402

app = typer.Typer(
    name="negneg",
    help="A laboratory for Negation Neglect: claim → documents → conditions → finetune → belief → report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)


def _register_all() -> None:
    from negneg.audit import commands as audit_cmds
    from negneg.claims import commands as claims_cmds
    from negneg.conditions import commands as conditions_cmds
    from negneg.corpus import commands as corpus_cmds
    from negneg.evals import commands as evals_cmds
    from negneg.experiments import commands as experiments_cmds
    from negneg.models import commands as models_cmds
    from negneg.training import commands as training_cmds

    for mod in (
        claims_cmds,
        models_cmds,
        corpus_cmds,
        conditions_cmds,
        training_cmds,
        evals_cmds,
        experiments_cmds,
        audit_cmds,
    ):
        mod.register(app)


_register_all()


REPORT_BUG = (
    "this is a bug in negneg, not a problem with your input: please report it with the command "
    "you ran and the traceback above"
)
# OS errors that name a file are the user's to fix (permissions, a directory given as a file, a
# full disk); others (e.g. a missing file negneg itself should have written) are bugs.
USER_OS_ERRNOS = {errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ENOSPC, errno.EROFS,
                  errno.EDQUOT, errno.ENAMETOOLONG}  # fmt: skip


def _error_line(text: str) -> None:
    err_console.print(f"[bold red]error:[/] {text}", highlight=False, soft_wrap=True, markup=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; the console script passes the return value to ``sys.exit``."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would break the rich display
    except ImportError:  # pragma: no cover
        pass
    try:
        app(args=argv, standalone_mode=False)
    except NegnegError as exc:
        _error_line(_escape(str(exc)))
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except click_exc.NoArgsIsHelpError as exc:
        exc.show()
        return 0
    except click_exc.UsageError as exc:
        cmd = exc.ctx.command_path if exc.ctx is not None else "negneg"
        _error_line(_escape(f"{exc.format_message()} — see '{cmd} --help'"))
        return 2
    except click_exc.ClickException as exc:
        _error_line(_escape(exc.format_message()))
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except KeyboardInterrupt:
        err_console.print("interrupted; finished stages are kept, rerun to resume")
        return 130
    except OSError as exc:
        if exc.errno in USER_OS_ERRNOS and exc.filename:
            _error_line(
                _escape(f"{exc.filename}: {exc.strerror} — check the path, its permissions and free space")
            )
            return 2
        return _internal_error()
    except Exception:
        return _internal_error()
    return 0


def _escape(text: str) -> str:
    from rich.markup import escape

    return " ".join(escape(text).split("\n"))


def _internal_error() -> int:
    import traceback

    traceback.print_exc()
    _error_line(REPORT_BUG)
    return 1


if __name__ == "__main__":
    sys.exit(main())
