"""The dataset card: a short Markdown description of one export (counts, filters, agreement)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotator.rules import counted


def _offsets_note(stats: Mapping[str, Any]) -> str:
    if stats.get("format") == "doccano" and stats.get("offsets", "utf16") == "utf16":
        return "UTF-16 code units (as doccano counts), half-open `[start, end)`"
    return "Unicode code points, half-open `[start, end)`: `text[start:end]` in Python"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if value is None:
        return "–"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _filter_value(value: Any) -> str:
    if value is None:
        return "all"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(_cell(item) for item in value)) or "none"
    return _cell(value)


MATCHING_NOTE = (
    "Span F1 pairs each span with at most one span of the other annotator. Exact F1 pairs "
    "identical spans (same label and offsets). Overlap F1 pairs spans of the same label that "
    "share a character, by a maximum matching: as many pairs as the overlaps allow, then the "
    "largest total overlap. So the figure does not depend on the order spans are compared in."
)
"""What the card says about how spans were paired (annotator's docs/agreement.md has more)."""


def _agreement_lines(agreement: Mapping[str, Any] | None) -> list[str]:
    if not agreement:
        return ["Agreement was not computed for this export."]
    scalars = [(key, value) for key, value in agreement.items() if not isinstance(value, Mapping)]
    tables = [(key, value) for key, value in agreement.items() if isinstance(value, Mapping)]
    lines = [f"- {_cell(key)}: {_cell(value)}" for key, value in scalars]
    for key, table in tables:
        lines += ["", f"{_cell(key)}:", "", "| label | value |", "| --- | ---: |"]
        lines += [f"| {_cell(label)} | {_cell(value)} |" for label, value in table.items()]
    return [*lines, "", MATCHING_NOTE]


def dataset_card(stats: Mapping[str, Any]) -> str:
    """A short Markdown dataset card for one export.

    ``stats``: ``project``, ``format``, ``exported_at``, ``documents``, ``annotators`` (names),
    ``spans_per_label`` ({label: n}, annotators' spans), ``gold_spans``, ``filters`` and
    ``agreement`` (a summary dict, or None). A doccano export may add ``offsets``; an export
    with links adds ``relations`` and ``gold_relations`` (counts), shown when not both 0; one
    whose spans name sources adds ``sources`` (distinct sources named), ``source_links`` and
    ``gold_source_links`` (spans naming one), shown when a source is named.
    """
    spans = stats.get("spans_per_label") or {}
    annotators = list(stats.get("annotators") or [])
    filters = stats.get("filters") or {}
    lines = [
        f"# {_cell(stats.get('project'))}: annotated spans",
        "",
        f"- Format: {_cell(stats.get('format'))}",
        f"- Exported at: {_cell(stats.get('exported_at'))}",
        f"- Documents: {stats.get('documents', 0)}",
        f"- Annotators ({len(annotators)}): {', '.join(annotators) or 'none'}",
        f"- Annotator spans: {sum(spans.values())}",
        f"- Gold spans: {stats.get('gold_spans', 0)}",
        *(
            [f"- Links: {stats['relations']} (gold: {stats.get('gold_relations', 0)})"]
            if stats.get("relations") or stats.get("gold_relations")
            else []
        ),
        *(
            [
                f"- Sources: {stats['sources']}, named by "
                f"{counted(stats.get('source_links', 0), 'annotator span')} and "
                f"{counted(stats.get('gold_source_links', 0), 'gold span')}"
            ]
            if stats.get("sources")
            else []
        ),
        f"- Offsets: {_offsets_note(stats)}",
        "- Origin: each annotator span says `origin`: `manual` (marked by the annotator) or "
        "`suggestion` (a recommender's suggestion the annotator accepted; `recommender` names it)",
        "",
        "## Spans per label",
        "",
    ]
    if spans:
        lines += ["| label | spans |", "| --- | ---: |"]
        lines += [f"| {_cell(label)} | {count} |" for label, count in sorted(spans.items())]
    else:
        lines.append("No annotator spans.")
    lines += ["", "## Filters", ""]
    if filters:
        lines += [f"- {_cell(key)}: {_filter_value(value)}" for key, value in filters.items()]
    else:
        lines.append("None: every annotator and label.")
    lines += ["", "## Agreement", "", *_agreement_lines(stats.get("agreement")), ""]
    lines += ["## Annotation time", "", *_time_lines(stats.get("active_time")), ""]
    return "\n".join(lines)


def _time_lines(active: Mapping[str, Mapping[str, Any]] | None) -> list[str]:
    """Active time per annotator: the cost figure papers report."""
    if not active:
        return ["No active time was measured for these documents."]
    lines = [
        "Active time measured in the workspace (tab visible, input within the last two "
        "minutes). Per document and annotator: `active_seconds`, `first_active_at` and "
        "`last_active_at` in the native export.",
        "",
        "| annotator | documents | active seconds | median per document | first | last |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for name, figures in active.items():
        lines.append(
            f"| {_cell(name)} | {figures['documents']} | {figures['seconds']} | "
            f"{figures['median']:g} | {_cell(figures['first'])} | {_cell(figures['last'])} |"
        )
    hours = sum(figures["seconds"] for figures in active.values()) / 3600
    return [*lines, "", f"Total: {hours:.2f} hours of active annotation."]
