"""`contactexport simulate`: realistic synthetic Gladly events, deterministic for a seed."""

import sys
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from contactexport.cli.app import app, db_path, err, many
from contactexport.cli.options import (
    cannot_write,
    flag,
    output_name,
    parse_zone,
    refuse_store,
    writing,
)
from contactexport.output import is_stdout, output_file, same_file
from contactexport.simulate import ConfigError, Simulation, SimulationConfig
from contactexport.simulate.builder import Conversation
from contactexport.simulate.config import DEFAULT_MIX, load_toml, parse_mix
from contactexport.simulate.truthfile import TruthTable
from contactexport.simulate.writer import write_lines

# With spaces, so that help can wrap it (parse_mix takes it either way).
_DEFAULT_MIX = ", ".join(f"{channel}={weight:g}" for channel, weight in DEFAULT_MIX.items())

PROGRESS_FROM = 20_000  # conversations; smaller runs finish before a bar is worth drawing
PROGRESS_EVERY = 500

DEFAULTS = SimulationConfig()


def _rate(name: str, meaning: str):
    """A 0..1 knob whose default and meaning come from SimulationConfig."""
    text = f"{meaning} (default: {getattr(DEFAULTS, name)})."
    return Annotated[float | None, typer.Option(min=0.0, max=1.0, metavar="RATE", help=text)]


OutboundRate = _rate("outbound_rate", "Conversations the center starts (calls, messages)")
AbandonRate = _rate("abandon_rate", "Inbound calls hung up before an agent accepts")
RejectRate = _rate("reject_rate", "Offers declined, missed or failed (device error)")
HoldRate = _rate("hold_rate", "Answered calls with manual or conference holds")
TransferRate = _rate("transfer_rate", "Answered calls and messaging contacts transferred")
PaymentRate = _rate("payment_rate", "Answered calls and chats/SMS/WhatsApp with a payment")
UnfinishedRate = _rate("unfinished_rate", "Conversations cut off before their contact ends")


@app.command(no_args_is_help=False, rich_help_panel="Fixtures and data")
def simulate(
    ctx: typer.Context,
    conversations: Annotated[
        int | None,
        typer.Option(
            "--conversations",
            "-n",
            min=0,
            metavar="N",
            help="Conversations to generate (default: 1000).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", metavar="N", help="Same seed, same bytes (default: 0)."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="JSONL file (gzipped if the name ends in .gz); default or -: stdout.",
        ),
    ] = None,
    truth: Annotated[
        str | None,
        typer.Option(
            "--truth",
            metavar="FILE",
            help="Also write the rows the generator intended (its own model, not a replay) "
            "as a Contact Export CSV, sorted and formatted like `contactexport export` "
            "(gzipped if the name ends in .gz; - is stdout when -o names a file).",
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="YYYY-MM-DD",
            help="First day, YYYY-MM-DD, in --tz (default: 2026-11-02).",
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, metavar="N", help="Days of arrivals (default: 1)."),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz", metavar="ZONE", help="Zone of the daily curve and the shifts (default: UTC)."
        ),
    ] = None,
    mix: Annotated[
        str | None,
        typer.Option(
            "--mix",
            metavar="CHANNEL=N,...",
            help="Inbound channel weights, e.g. CHAT=2,SMS=1; unnamed channels get 0. "
            f"Default: {_DEFAULT_MIX}.",
        ),
    ] = None,
    agents: Annotated[
        int | None,
        typer.Option(
            "--agents",
            min=0,
            metavar="N",
            help="Agents on staff: 0 for ~1 per 40 conversations a day (the default), else at "
            "least 2.",
        ),
    ] = None,
    outbound_rate: OutboundRate = None,
    abandon_rate: AbandonRate = None,
    reject_rate: RejectRate = None,
    hold_rate: HoldRate = None,
    transfer_rate: TransferRate = None,
    payment_rate: PaymentRate = None,
    unfinished_rate: UnfinishedRate = None,
    noise: Annotated[
        bool | None,
        flag(
            "--noise/--no-noise",
            help="Agent status, topics and routing updates besides contacts (default: noise).",
        ),
    ] = None,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            exists=True,
            dir_okay=False,
            help="TOML file with any knob of docs/simulator.md (options given here win).",
        ),
    ] = None,
    progress: Annotated[
        bool | None,
        flag(
            "--progress/--no-progress",
            help=f"Progress bar on stderr (default: on a terminal, from {PROGRESS_FROM:,} "
            "conversations).",
        ),
    ] = None,
) -> None:
    """Write a realistic contact center's Gladly events as JSONL.

    A daily arrival curve; phone, chat, SMS, WhatsApp, Messenger, email and voicemail with
    entry points and IVR selections; routing with declines and misses; holds of every kind;
    warm and cold transfers; abandons; emails during calls; outbound calls and messages;
    payments; profile views; closing conversations. The rates are per conversation (per
    offer for --reject-rate); docs/simulator.md describes every knob.
    """
    try:
        knobs = load_toml(config_file) if config_file else {}
        if start is not None:
            knobs["start"] = _date(start)
        if mix is not None:
            knobs["channel_mix"] = parse_mix(mix)
        config = SimulationConfig(**knobs).with_overrides(
            conversations=conversations,
            seed=seed,
            days=days,
            tz=parse_zone(tz).key if tz is not None else None,
            agents=agents,
            outbound_rate=outbound_rate,
            abandon_rate=abandon_rate,
            reject_rate=reject_rate,
            hold_rate=hold_rate,
            transfer_rate=transfer_rate,
            payment_rate=payment_rate,
            unfinished_rate=unfinished_rate,
            noise=noise,
        )
        output, truth = output_name(output, "--output"), output_name(truth, "--truth")
        for path, option in ((output, "--output"), (truth, "--truth")):
            if not is_stdout(path):  # the store (--db, or its default) is no place for them
                refuse_store(path, db_path(ctx), option)
        to_stdout = is_stdout(output)
        events_file = Path("/dev/stdout") if to_stdout else output
        truth_file = Path("/dev/stdout") if is_stdout(truth) else truth
        if truth is not None and same_file(truth_file, events_file):
            where = "stdout, where the events go" if to_stdout else "the events' output (-o)"
            raise ConfigError(f"--truth {truth} is also {where}")
    except ConfigError as error:
        err.print(f"[red]error:[/] {escape(str(error))}")
        raise typer.Exit(2) from None

    show = (
        progress
        if progress is not None
        else (err.is_terminal and config.conversations >= PROGRESS_FROM)
    )
    began = time.perf_counter()
    events_to = "stdout" if to_stdout else output
    truth_to = "stdout" if is_stdout(truth) else truth
    with writing(events_to), ExitStack() as stack:
        # Both files are opened first, so a bad path fails before any simulating. The truth
        # file is entered first so that it is completed last: if the events file fails as it
        # is completed, the truth file is left as it was too, not paired with old events.
        try:
            truth_out = _open_truth(truth, stack)
            out = (
                typer.get_binary_stream("stdout")
                if to_stdout
                else stack.enter_context(output_file(output, "wb"))
            )
        except OSError as error:
            raise cannot_write(error.filename or events_to, error, status=2) from None
        table = stack.enter_context(TruthTable()) if truth_out is not None else None
        bar = stack.enter_context(_Progress(config.conversations, show))

        def each(conversation: Conversation) -> None:
            bar.each(conversation)
            if table is not None:
                table.add(conversation)  # same pass as the events

        events = write_lines(Simulation(config).lines(each), out)
        if to_stdout:
            out.flush()  # a reader that has gone shows here, as for every command
        rows = 0
        if table is not None and truth_out is not None:
            with writing(truth_to):
                rows = table.write_csv(truth_out)
                truth_out.flush()  # a full disk shows here, while neither file is in place yet
    seconds = time.perf_counter() - began
    err.print(
        f"wrote {many(events, 'event')} ({many(config.conversations, 'conversation')}, seed "
        f"{config.seed}) "
        f"to {events_to} in {seconds:.1f} s ({events / max(seconds, 1e-9):,.0f} events/s)",
        soft_wrap=True,
    )
    if truth is not None:
        err.print(f"wrote {many(rows, 'intended row')} to {truth_to}", soft_wrap=True)


def _open_truth(truth: Path | None, stack: ExitStack) -> TextIO | None:
    """Where --truth writes: its file (entered on `stack`), stdout for -, or nowhere."""
    if truth is None:
        return None
    if is_stdout(truth):
        return sys.stdout
    return stack.enter_context(output_file(truth, "w", newline="", encoding="utf-8"))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--start {text!r} is not a date such as 2026-11-02") from None


class _Progress:
    """A rich progress bar over conversations, or nothing."""

    def __init__(self, total: int, show: bool) -> None:
        self.total, self.show, self.done = total, show, 0
        self._bar: Progress | None = None

    def __enter__(self) -> "_Progress":
        if self.show:
            self._bar = Progress(
                TextColumn("simulating"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("conversations", total=self.total)
        return self

    def each(self, _conversation: Conversation) -> None:
        self.done += 1
        if self._bar is not None and self.done % PROGRESS_EVERY == 0:
            self._bar.update(self._task, completed=self.done)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
