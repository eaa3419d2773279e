"""`contactexport timeline CONTACT_ID`: why a contact's row looks the way it does."""

import difflib
import json
import os
import shlex
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from contactexport.cli.app import Command, StorePath, app, db_path, err, open_store, out
from contactexport.cli.options import (
    AsOf,
    LinkTemplate,
    Zone,
    flag,
    parse_as_of,
    parse_header,
    parse_link_template,
    parse_zone,
)
from contactexport.cli.rows import catch_up_if_behind
from contactexport.columns import BY_HEADER, COLUMNS, HEADERS
from contactexport.export import RowFormat, cell_formatter, link_for
from contactexport.projector import TABLE
from contactexport.timeline import OWN, Timeline, build_timeline, explain
from contactexport.timestamps import format_ms
from eventstore import EventStore

try:  # typer carries its own copy of click since 0.2x
    from typer._click.exceptions import NoSuchOption, UsageError
except ImportError:
    from click.exceptions import NoSuchOption, UsageError

GROUPS = {
    "identity": ("text",),
    "timestamps": ("timestamp",),
    "durations (seconds)": ("duration",),
    "counts": ("count", "money"),
}


def _conversations_of(store: EventStore, contact_id: str) -> list[str]:
    """Usually one; a contact whose events name several conversations has a row in each, and
    the one it started in comes first."""
    rows = store.conn.execute(
        f"SELECT conversation_id FROM {TABLE} WHERE contact_id = ? "
        "ORDER BY queued_at IS NULL, queued_at, conversation_id",
        (contact_id,),
    )
    return [conversation_id for (conversation_id,) in rows]


def _find_contact(store: EventStore, contact_id: str) -> tuple[str, list[str]]:
    """The contact ID to explain and its conversations (none when unknown).

    An ID copied from the CSV may carry the leading ' that keeps a spreadsheet from running it
    ('-iHMbVH2vffonQO-m3TyjQ): when the ID as given is unknown, the one without it is taken.
    """
    conversations = _conversations_of(store, contact_id)
    if not conversations and contact_id.startswith("'"):
        unquoted = contact_id[1:]
        if found := _conversations_of(store, unquoted):
            return unquoted, found
    return contact_id, conversations


# A suggestion must be a likely typo (difflib ratio) or the full ID of a pasted beginning:
# an unrelated ID sends the user after the wrong contact, so none is better.
TYPO_RATIO = 0.8
SHORTEST_PREFIX = 8


def close_ids(asked: str, known: list[str], n: int = 5) -> list[str]:
    """IDs among `known` that `asked` is a typo of or the beginning of; often none."""
    typos = difflib.get_close_matches(asked, known, n=n, cutoff=TYPO_RATIO)
    started = [k for k in known if len(asked) >= SHORTEST_PREFIX and k.startswith(asked)]
    return list(dict.fromkeys([*typos, *started]))[:n]


def _closest_ids(store: EventStore, contact_id: str) -> list[str]:
    """Known contact IDs close to the one asked for (those sharing its start looked at first)."""
    candidates = [
        row[0]
        for row in store.conn.execute(
            f"SELECT contact_id FROM {TABLE} WHERE substr(contact_id, 1, 3) = ? LIMIT 20000",
            (contact_id[:3],),
        )
    ] or [row[0] for row in store.conn.execute(f"SELECT contact_id FROM {TABLE} LIMIT 20000")]
    return close_ids(contact_id, candidates)


class _IdAfterDashes(Command):
    """`timeline -GvHj…`: click reads an ID starting with - as options and says only `No such
    option: -G`; the error also says where the ID goes, when moving it there is what the
    command line lacks (not when it names an option misspelt, or an ID is already given)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        given = list(args)  # click consumes `args` as it parses
        try:
            return super().parse_args(ctx, args)
        except NoSuchOption as error:
            options = given[: given.index("--")] if "--" in given else given
            word = next((a for a in options if a.startswith(error.option_name)), None)
            if word and not error.possibilities:
                moved = [*(a for a in options if a is not word), "--", word]
                if self._parses(ctx, list(moved)):  # a copy: parsing consumes its list
                    # From the command on: options given before it (--db) stay where they are.
                    error.message += (
                        f". An ID that starts with - goes after --, as in: {ctx.info_name} "
                        f"{shlex.join(moved)}"
                    )
            raise

    def _parses(self, ctx: typer.Context, args: list[str]) -> bool:
        try:
            self.make_context(ctx.info_name, args, parent=ctx.parent)
        except UsageError:
            return False
        return True


@app.command(cls=_IdAfterDashes, rich_help_panel="Explain")
def timeline(
    ctx: typer.Context,
    contact_id: Annotated[
        str,
        typer.Argument(
            metavar="CONTACT_ID", help="The Contact ID to explain (after -- if it starts with -)."
        ),
    ],
    db: StorePath = None,
    why: Annotated[
        str | None,
        typer.Option(
            "--why",
            metavar="COLUMN",
            help="Explain one column: its rule, the events, the arithmetic.",
        ),
    ] = None,
    as_json: Annotated[bool, flag("--json", help="Print JSON (docs/timeline.md).")] = False,
    tz: Zone = "UTC",
    as_of: AsOf = None,
    link_template: LinkTemplate = None,
) -> None:
    """Explain one contact: its events, state and column changes, anomalies, final row.

    Events of other contacts (and of the conversation) that changed it are shown in place.

    A Contact ID that starts with - (Gladly IDs are base64url, so some do) goes after --, the
    end of the options: [bold]contactexport timeline -- -iHMb2Xo7[/]. As the CSV shows it, with
    a leading ' ('-iHMb2Xo7), it needs no -- and is found all the same.
    """
    zone = parse_zone(tz)
    as_of_ms = parse_as_of(as_of, zone)
    column = parse_header(why, "--why") if why else None
    template = parse_link_template(link_template)
    with open_store(ctx) as store:
        catch_up_if_behind(store)
        contact_id, conversations = _find_contact(store, contact_id)
        conversation_id = conversations[0] if conversations else None
        if len(conversations) > 1:
            others = ", ".join(conversations[1:])
            err.print(
                f"[yellow]note:[/] {escape(contact_id)}'s events also name {escape(others)}, "
                f"where it has another, partial row (see anomalies); this is "
                f"{escape(conversation_id)}"
            )
        story = None
        if conversation_id is not None:
            events = store.read_stream(conversation_id)
            story = build_timeline(contact_id, conversation_id, events, as_of_ms=as_of_ms)
        if story is None:
            closest = _closest_ids(store, contact_id) if conversation_id is None else []
            hint = f" Closest known IDs: {', '.join(closest)}." if closest else ""
            when = f" as of {as_of}" if as_of and conversation_id else ""
            message = f"no contact {contact_id!r}{when} in {db_path(ctx)}.{hint}"
            err.print(f"[red]error:[/] {escape(message)}")
            raise typer.Exit(1)
    if template:  # the final row as export writes it, Link included
        contact = story.contact
        story.row[HEADERS.index("Link")] = link_for(
            template, contact.customer_id, contact.conversation_id, contact.contact_id
        )
    fmt = cell_formatter(RowFormat(zone=zone, for_spreadsheet=False))
    if as_json:
        typer.echo(
            json.dumps(timeline_json(story, fmt, zone, column), indent=2, ensure_ascii=False)
        )
    elif column:
        _print_why(story, column, fmt, zone)
    else:
        _print_timeline(story, fmt, zone)


def _event_json(entry, fmt, zone) -> dict[str, Any]:
    event = entry.event
    return {
        "timestamp": format_ms(event.time_ms, zone),
        "event_id": event.event_id,
        "type": event.type,
        "initiator": event.initiator_type,
        "source": entry.source,
        "source_contact_id": entry.source_contact_id,
        "state_before": entry.state_before,
        "state_after": entry.state_after,
        "anomaly": entry.anomaly,
        "changes": [
            {"column": c.column, "old": fmt(c.column, c.old), "new": fmt(c.column, c.new)}
            for c in entry.changes
        ],
    }


def timeline_json(story: Timeline, fmt, zone, column: str | None = None) -> dict[str, Any]:
    contact = story.contact
    document: dict[str, Any] = {
        "contact_id": contact.contact_id,
        "conversation_id": contact.conversation_id,
        "state": contact.state,
        "events": [_event_json(entry, fmt, zone) for entry in story.entries],
        "row": {h: fmt(h, v) for h, v in zip(HEADERS, story.row, strict=True)},
        "anomalies": [
            {"event_id": a.event_id, "type": a.event_type, "reason": a.reason,
             "timestamp": format_ms(a.time_ms, zone)}
            for a in contact.anomalies
        ],
    }  # fmt: skip
    if column:
        document["why"] = {
            "column": column,
            "rule": BY_HEADER[column].definition,
            "arithmetic": explain(story, column, fmt),
            "events": [
                _event_json(entry, fmt, zone)
                for entry in story.entries
                if any(c.column == column for c in entry.changes)
            ],
            "ignored": document["anomalies"],
        }
    return document


def _source_label(entry) -> Text:
    if entry.source == OWN:
        return Text("this contact")
    if entry.source_contact_id:
        return Text(f"other contact {entry.source_contact_id}", style="magenta")
    return Text("conversation", style="cyan")


def _width() -> int:
    """The width to draw at: COLUMNS, when set, even piped (`COLUMNS=80 contactexport timeline
    ID | less`), where `out` would otherwise draw at 200; never wider than `out` draws."""
    columns = os.environ.get("COLUMNS", "")
    width = min(int(columns), out.width) if columns.isdigit() and int(columns) else out.width
    return max(width, NARROWEST)


GAP = "  "
NARROWEST = 20  # columns drawn at the least: lines are indented by GAP, and wrap beyond it


def _line(fields: list[Text], widths: list[int]) -> Text:
    line = Text()
    for field, width in zip(fields, widths, strict=False):
        line.append_text(field)
        line.append(" " * (width - field.cell_len) + GAP)
    line.rstrip()
    return line


def _headings(rows: list[list[Text]], width: int) -> list[list[Text]]:
    """Each event's fields (time, event, initiator, then source and state for an event of a
    contact), in columns as wide as the widest of their kind so that the events line up. When
    they do not fit on one line, the source and state go on a line of their own, unpadded;
    when the first three do not fit either, each field has a line."""
    widths = [max(row[i].cell_len for row in rows) for i in range(len(rows[0]))]
    if _fits(widths, width):
        return [[_line(row, widths)] for row in rows]
    if not _fits(widths[:3], width):
        return [[field for field in row if field] for row in rows]
    under_event = " " * (widths[0] + len(GAP))
    return [[_line(row[:3], widths[:3]), *_unpadded(row[3:], under_event, width)] for row in rows]


def _fits(widths: list[int], width: int) -> bool:
    return sum(widths) + len(GAP) * (len(widths) - 1) <= width


def _unpadded(fields: list[Text], indent: str, width: int) -> list[Text]:
    """Source and state on one line, under the event type when they fit there."""
    shown = Text(GAP).join(field for field in fields if field)
    if not shown:
        return []
    return [Text(indent if len(indent) + shown.cell_len <= width else GAP) + shown]


def _change(change, fmt) -> str:
    old, new = fmt(change.column, change.old) or "∅", fmt(change.column, change.new) or "∅"
    return f"{change.column}: {old} → {new}"


def _print_events(rows: list[list[Text]], details: list[list[str]], width: int) -> None:
    """Each event's fields, then what it changed (or why it was ignored), each on lines of its
    own across the whole width: these are what the reader came for. Nothing is cut with …: a
    line too long wraps, and a word too long for a line is folded onto the next."""
    for heading, lines in zip(_headings(rows, width), details, strict=True):
        out.print()
        for line in heading:
            out.print(line, width=width)
        for detail in lines:
            for part in Text(detail).wrap(out, width - len(GAP), overflow="fold"):
                part.rstrip()
                out.print(Text.assemble(GAP, part), width=width)


def _event_fields(entry, zone) -> list[Text]:
    event = entry.event
    if entry.anomaly:
        state = Text.assemble(("ANOMALY", "bold red"), f" {entry.anomaly}")
    elif entry.state_before:
        state = Text(f"{entry.state_before} → {entry.state_after}")
    else:
        state = Text("")
    initiator = f"by {event.initiator_type}" if event.initiator_type else ""
    return [
        Text(format_ms(event.time_ms, zone)),
        Text(event.type, style="bold red" if entry.anomaly else "bold"),
        Text(initiator),
        _source_label(entry),
        state,
    ]


def _print_timeline(story: Timeline, fmt, zone) -> None:
    contact = story.contact
    width = _width()
    out.print(
        f"[bold]Contact {escape(contact.contact_id)}[/] · "
        f"{escape(contact.channel or 'no channel')} · conversation "
        f"{escape(contact.conversation_id)} · state [bold]{contact.state}[/]",
        width=width,
    )
    out.print(
        "[dim]Each event, then the columns it changed (counters starting at 0 not shown).[/]",
        width=width,
    )
    _print_events(
        [_event_fields(entry, zone) for entry in story.entries],
        [
            [_change(c, fmt) for c in entry.changes if not (c.old is None and c.new == 0)]
            for entry in story.entries
        ],
        width,
    )
    out.print()
    values = dict(zip(HEADERS, story.row, strict=True))
    for title, kinds in GROUPS.items():
        group = Table(title=title, title_justify="left")
        group.add_column("column")
        group.add_column("value", overflow="fold")
        for column in COLUMNS:
            if column.kind in kinds:
                group.add_row(column.header, Text(fmt(column.header, values[column.header])))
        out.print(group, width=width)


_IGNORED = "what replay ignored for this contact (anomalies)"


def _print_why(story: Timeline, column: str, fmt, zone) -> None:
    width = _width()
    out.print(f"[bold]{column}[/]: {BY_HEADER[column].definition}", width=width)
    for line in explain(story, column, fmt):
        out.print(f"  {line}", markup=False, width=width)
    changes = story.changes_of(column)
    if not changes:
        out.print("  No event changed it.", width=width)
    else:
        out.print("\n[italic]events that produced it[/]", width=width)
        _print_events(
            [_event_fields(entry, zone)[:4] for entry, _ in changes],
            [[_change(change, fmt)] for _, change in changes],
            width,
        )
    if story.contact.anomalies:  # often the answer: the event that would have set it
        out.print(f"\n[italic]{_IGNORED}[/]", width=width)
        _print_events(
            [
                [Text(format_ms(a.time_ms, zone)), Text(a.event_type, style="bold")]
                for a in story.contact.anomalies
            ],
            [[a.reason] for a in story.contact.anomalies],
            width,
        )
