"""DataFrame -> Plotly figure. No Streamlit here, so every chart is testable on its own.

Each function takes an already-summarised table (from `analytics.summary` or
`analytics.renewals`) and the names of the columns it reads; it never filters or counts.
An empty table gives a figure that says so instead of an empty plot area. Every name a
person reads (series, axes, hover text, category values) comes from
`analytics.reporting.vocabulary`, the words the tables and exports use.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.reporting import vocabulary
from analytics.rules.evaluation import AGEING_BUCKETS

# One palette for the statuses everywhere, so "eligible" is the same green on every page.
STATUS_COLOURS = {
    "eligible": "#2e7d32",
    "incomplete": "#f9a825",
    "ineligible": "#c62828",
    "current": "#2e7d32",
    "due": "#f9a825",
    "overdue": "#c62828",
    "fail": "#c62828",
    "missing": "#9e9e9e",
    "pass": "#2e7d32",
    "not present": "#9e9e9e",
    "certified": "#1565c0",
    "resolved": "#2e7d32",
    "new": "#c62828",
}
ACCENT = "#1565c0"
MUTED = "#d0d0d0"
EMPTY_TEXT = "Nothing to show for this selection"
PERCENT_HEADROOM = 1.3  # a rate axis runs to this times the longest bar (at most 100%)
APPLICANTS = vocabulary.COLUMN_LABELS["applicants"]
ACTIVE, EDITED = "Active rules", "Edited rules"  # the what-if chart's two series
BACKLOG = vocabulary.FIGURE_LABELS[("renewals", "backlog")]


_HTML_SPECIAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _plain(value):
    """Text as Plotly shows it literally: Plotly reads tags (`<a href>`, `<b>`, `<br>`) and
    entities in every label, and group and rule labels come from the user's files."""
    if isinstance(value, str):
        return value.translate(_HTML_SPECIAL)
    is_text_array = getattr(getattr(value, "dtype", None), "kind", "") == "O"
    if isinstance(value, (tuple, list)) or is_text_array:
        return [v.translate(_HTML_SPECIAL) if isinstance(v, str) else v for v in value]
    return value


def _plain_labels(fig: go.Figure) -> None:
    for trace in fig.data:
        for attr in ("x", "y", "text", "hovertext", "name"):
            value = getattr(trace, attr, None)
            if value is not None:
                trace[attr] = _plain(value)
    fig.for_each_xaxis(lambda axis: axis.update(categoryarray=_plain(axis.categoryarray)))
    fig.for_each_yaxis(lambda axis: axis.update(categoryarray=_plain(axis.categoryarray)))


def _layout(fig: go.Figure, title: str | None, height: int = 360) -> go.Figure:
    _plain_labels(fig)
    if title:
        # Only when given: a None title reaches the browser as the text "undefined".
        fig.update_layout(title_text=title)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    # The margins above are a minimum: every axis grows its margin to fit its labels
    # (rule and group names), which the offline dashboard otherwise cuts to "ts", "on".
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def empty(title: str | None = None, text: str = EMPTY_TEXT) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=200)


def _categories(table: pd.DataFrame, column: str) -> pd.Series:
    """A table's group column as a person reads it (category labels, blanks named)."""
    return vocabulary.in_words(table[[column]])[column].astype("string")


def _stacked(
    categories: pd.Series,
    series: list[tuple[str, pd.Series]],
    horizontal: bool,
    with_numbers: bool = False,
) -> go.Figure:
    """One bar trace per (column, values) series, stacked per category, coloured by the
    column and named in words; horizontal bars list the categories top to bottom in the
    table's order. `with_numbers`: each bar carries its count (zeros left blank)."""
    value, category = ("x", "y") if horizontal else ("y", "x")
    bars = []
    for column, values in series:
        name = vocabulary.column_label(column)
        bars.append(
            go.Bar(
                name=name,
                **{category: categories, value: values},
                orientation="h" if horizontal else "v",
                text=[f"{v:,}" if v else "" for v in values] if with_numbers else None,
                textposition="inside" if with_numbers else None,
                # Level, even in a narrow segment (Plotly turns text that does not fit
                # sideways: "72" read as a rotated glyph pair); it shrinks instead.
                textangle=0 if with_numbers else None,
                marker_color=STATUS_COLOURS.get(column, ACCENT),
                hovertemplate=f"%{{{category}}}<br>{name}: %{{{value}:,}}<extra></extra>",
            )
        )
    fig = go.Figure(bars)
    fig.update_layout(barmode="stack")
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
    return fig


def _counts(values) -> list[str]:
    """Bar labels written as the metrics above them write counts: 18,730, not 18730."""
    return [f"{int(v):,}" if pd.notna(v) else "" for v in values]


SHORT_BAR = 0.25  # of the 0-100% axis: too short to hold "45.1% of 1,234" inside


def rate_bars(
    table: pd.DataFrame,
    group: str,
    rate: str = "eligibility_rate",
    count: str = "applicants",
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars of a 0-1 rate per group, labelled with the rate and the group size."""
    if table.empty:
        return empty(title)
    labels = _categories(table, group)
    rates = table[rate].astype(float)
    sizes = [int(n) for n in table[count]]
    text = [f"{r:.1%} of {n:,}" for r, n in zip(rates, sizes, strict=True)]
    rate_words = vocabulary.column_label(rate)
    # Plotly draws no label at all for a bar of length 0 with "auto": a group where nobody
    # is eligible read as a group without data. Short bars carry their label beside them.
    where = ["inside" if r >= SHORT_BAR else "outside" for r in rates.fillna(0)]
    fig = go.Figure(
        go.Bar(
            x=rates,
            y=labels,
            orientation="h",
            text=text,
            textposition=where,
            cliponaxis=False,
            marker_color=ACCENT,
            customdata=sizes,
            hovertemplate=(
                f"%{{y}}<br>{rate_words}: %{{x:.1%}}<br>"
                f"{vocabulary.column_label(count)}: %{{customdata:,}}<extra></extra>"
            ),
        )
    )
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title_text=rate_words)
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, title, height=max(220, 60 + 28 * len(table)))


def status_bars(
    table: pd.DataFrame,
    group: str,
    statuses: tuple[str, ...] = ("eligible", "incomplete", "ineligible"),
    title: str | None = None,
) -> go.Figure:
    """Stacked counts of each status per group (one column per status in `table`)."""
    if table.empty:
        return empty(title)
    labels = _categories(table, group)
    series = [(status, table[status]) for status in statuses if status in table.columns]
    fig = _stacked(labels, series, horizontal=True)
    fig.update_xaxes(title_text=APPLICANTS)
    return _layout(fig, title, height=max(220, 60 + 28 * len(table)))


def funnel(
    table: pd.DataFrame, stage: str = "label", count: str = "remaining", title: str | None = None
) -> go.Figure:
    """Applicants still in after each required rule, in the order the table gives."""
    if table.empty:
        return empty(title)
    fig = go.Figure(
        go.Funnel(
            y=table[stage].astype("string"),
            x=table[count],
            texttemplate="%{value:,} (%{percentInitial:.1%})",
            marker_color=ACCENT,
            hovertemplate=(
                f"%{{y}}<br>{vocabulary.column_label(count)}: %{{x:,}} "
                "(%{percentInitial:.1%} of all applicants)<extra></extra>"
            ),
        )
    )
    return _layout(fig, title, height=max(240, 60 + 48 * len(table)))


def fail_missing_bars(
    table: pd.DataFrame,
    rule: str = "label",
    fail: str = "fail",
    missing: str = "missing",
    title: str | None = None,
) -> go.Figure:
    """Per rule, how many fail and how many lack the data, stacked, in the table's order,
    each bar with its count."""
    if table.empty:
        return empty(title)
    labels = table[rule].astype("string")
    series = [("fail", table[fail]), ("missing", table[missing])]
    fig = _stacked(labels, series, horizontal=True, with_numbers=True)
    fig.update_xaxes(title_text=APPLICANTS)
    return _layout(fig, title, height=max(220, 60 + 30 * len(table)))


def upset(
    combos: pd.DataFrame,
    sets: str = "rules",
    count: str = "applicants",
    labels: dict[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """UpSet-style chart: bars of combination sizes over a dot matrix of the rules in each.

    `combos[sets]` holds, per row, the list (or tuple) of rule ids failing together.
    """
    if combos.empty:
        return empty(title)
    labels = labels or {}
    members = [list(m) for m in combos[sets]]
    rule_ids = sorted({r for m in members for r in m}, key=lambda r: labels.get(r, r))
    names = [labels.get(r, r) for r in rule_ids]
    columns = [f"#{i + 1}" for i in range(len(combos))]
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.03
    )
    fig.add_trace(
        go.Bar(
            x=columns,
            y=combos[count],
            text=_counts(combos[count]),
            textposition="outside",
            cliponaxis=False,
            marker_color=ACCENT,
            hovertext=[" + ".join(labels.get(r, r) for r in m) for m in members],
            hovertemplate=f"%{{hovertext}}<br>{APPLICANTS}: %{{y:,}}<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    # Grey dots for every cell, dark dots (joined by a line) for the rules in the combination.
    grid_x = [c for c in columns for _ in names]
    grid_y = names * len(columns)
    fig.add_trace(
        go.Scatter(
            x=grid_x,
            y=grid_y,
            mode="markers",
            marker={"size": 12, "color": MUTED},
            hoverinfo="skip",
            showlegend=False,
        ),
        row=2,
        col=1,
    )
    for column, member in zip(columns, members, strict=True):
        ys = [labels.get(r, r) for r in rule_ids if r in member]
        fig.add_trace(
            go.Scatter(
                x=[column] * len(ys),
                y=ys,
                mode="markers+lines",
                marker={"size": 12, "color": "#212121"},
                line={"color": "#212121", "width": 2},
                hoverinfo="skip",
                showlegend=False,
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(title_text=APPLICANTS, row=1, col=1)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names, row=2, col=1)
    fig.update_xaxes(showticklabels=False, row=2, col=1)
    return _layout(fig, title, height=320 + 26 * len(names))


def backlog_by_month(
    table: pd.DataFrame,
    month: str = "month",
    due: str = "due",
    overdue: str = "overdue",
    title: str | None = None,
) -> go.Figure:
    """Backlog members per month of expiry, overdue and due stacked."""
    if table.empty:
        return empty(title)
    months = pd.to_datetime(table[month].astype("string"), format="%Y-%m").dt.strftime("%b %Y")
    fig = _stacked(months, [("overdue", table[overdue]), ("due", table[due])], horizontal=False)
    fig.update_xaxes(type="category", title_text=vocabulary.column_label(month))
    fig.update_yaxes(title_text=vocabulary.COLUMN_LABELS["certified"])
    return _layout(fig, title)


def count_bars(
    table: pd.DataFrame,
    category: str,
    count: str,
    title: str | None = None,
    colour: str = ACCENT,
    horizontal: bool = False,
) -> go.Figure:
    """Plain bars of one count per category (ageing buckets, blocked-by reasons)."""
    if table.empty:
        return empty(title)
    cats = _categories(table, category)
    words = vocabulary.column_label(count)
    bar = (
        go.Bar(
            y=cats,
            x=table[count],
            orientation="h",
            text=_counts(table[count]),
            marker_color=colour,
            hovertemplate=f"%{{y}}<br>{words}: %{{x:,}}<extra></extra>",
        )
        if horizontal
        else go.Bar(
            x=cats,
            y=table[count],
            text=_counts(table[count]),
            marker_color=colour,
            hovertemplate=f"%{{x}}<br>{words}: %{{y:,}}<extra></extra>",
        )
    )
    fig = go.Figure(bar)
    if horizontal:
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_xaxes(title_text=words)
    else:
        fig.update_xaxes(type="category", title_text=vocabulary.column_label(category))
        fig.update_yaxes(title_text=words)
    return _layout(fig, title, height=max(220, 60 + 30 * len(table)) if horizontal else 320)


def ageing(
    table: pd.DataFrame, bucket: str = "bucket", count: str = "certified", title: str | None = None
) -> go.Figure:
    """Overdue certifications by days past expiry, buckets in their natural order."""
    if table.empty:
        return empty(title)
    order = {b: i for i, b in enumerate(AGEING_BUCKETS)}
    ordered = table.sort_values(bucket, key=lambda s: s.map(order).fillna(len(order)))
    return count_bars(ordered, bucket, count, title, colour=STATUS_COLOURS["overdue"])


def side_by_side(
    table: pd.DataFrame,
    category: str,
    series: str,
    value: str,
    title: str | None = None,
    as_percent: bool = True,
) -> go.Figure:
    """Grouped bars: one bar per series (e.g. two cohorts) for each category (e.g. rule)."""
    if table.empty:
        return empty(title)
    fig = go.Figure()
    palette = [ACCENT, "#ef6c00", "#6a1b9a", "#00838f"]
    number = "%{x:.1%}" if as_percent else "%{x:,}"
    words = vocabulary.column_label(value)
    for i, (name, part) in enumerate(table.groupby(series, sort=False, dropna=False)):
        fig.add_trace(
            go.Bar(
                name=str(name),
                y=_categories(part, category),
                x=part[value],
                orientation="h",
                marker_color=palette[i % len(palette)],
                texttemplate=number,
                # Beside the bar, at the chart's font size: inside, Plotly shrinks a
                # label to the bar's height (6 px) and sets it dark on orange.
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{y}}<br>{name}: {number} {words.lower()}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=words)
    if as_percent:
        # Up to a little past the longest bar (room for its label), not always to 100%:
        # shares of a few percent otherwise drew as slivers in an empty frame. No tick
        # past 100%.
        top = pd.to_numeric(table[value], errors="coerce").max()
        end = max(0.1, 0.0 if pd.isna(top) else float(top) * PERCENT_HEADROOM)
        fig.update_xaxes(range=[0, end], tickformat=".0%")
        if end > 1:
            fig.update_xaxes(tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0])
    fig.update_yaxes(autorange="reversed", type="category")
    n_categories = table[category].nunique()
    return _layout(fig, title, height=max(240, 80 + 44 * n_categories))


def what_if(
    table: pd.DataFrame,
    group: str = "cohort",
    baseline: str = "rate_before",
    candidate: str = "rate_after",
    title: str | None = None,
) -> go.Figure:
    """Eligibility rate per group under the active rule set and under the edited one."""
    if table.empty:
        return empty(title)
    long = pd.concat(
        [
            pd.DataFrame(
                {group: table[group], "rules": ACTIVE, "eligibility_rate": table[baseline]}
            ),
            pd.DataFrame(
                {group: table[group], "rules": EDITED, "eligibility_rate": table[candidate]}
            ),
        ],
        ignore_index=True,
    )
    return side_by_side(long, group, "rules", "eligibility_rate", title)


def _translucent(colour: str, alpha: float = 0.35) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def status_sankey(
    moves: pd.DataFrame,
    old: str = "old",
    new: str = "new",
    count: str = "applicants",
    title: str | None = None,
) -> go.Figure:
    """Where people went between two uploads: each old state (left) to each new state
    (right), one band per pair with anyone in it, states in the table's order."""
    moving = moves[moves[count] > 0]
    if moving.empty:
        return empty(title, "Nobody in either upload")
    left = [s for s in dict.fromkeys(moves[old].astype(str)) if s in set(moving[old].astype(str))]
    right = [s for s in dict.fromkeys(moves[new].astype(str)) if s in set(moving[new].astype(str))]
    labels = [f"{s} before" for s in left] + [f"{s} now" for s in right]
    colours = [STATUS_COLOURS.get(s, ACCENT) for s in (*left, *right)]
    sources = [left.index(s) for s in moving[old].astype(str)]
    targets = [len(left) + right.index(s) for s in moving[new].astype(str)]
    fig = go.Figure(
        go.Sankey(
            node={"label": labels, "color": colours, "pad": 18, "thickness": 16},
            link={
                "source": sources,
                "target": targets,
                "value": moving[count].tolist(),
                "color": [_translucent(colours[i]) for i in sources],
                "hovertemplate": "%{source.label} → %{target.label}: %{value}<extra></extra>",
            },
            valueformat=",d",
        )
    )
    return _layout(fig, title, height=max(320, 60 + 44 * max(len(left), len(right))))


def resolved_vs_new(
    table: pd.DataFrame,
    rule: str = "label",
    resolved: str = "resolved",
    new: str = "new",
    title: str | None = None,
) -> go.Figure:
    """Per rule, how many now pass it who did not (resolved) and how many no longer pass
    it (newly failing or missing), side by side with their numbers, in the table's order."""
    if table.empty:
        return empty(title, "No requirement changed for anyone in both uploads")
    labels = table[rule].astype("string")
    fig = _stacked(labels, [("resolved", table[resolved]), ("new", table[new])], horizontal=True)
    fig.update_layout(barmode="group")
    fig.update_traces(text=None, texttemplate="%{x:,}", textposition="outside", cliponaxis=False)
    return _layout(fig, title, height=max(220, 80 + 52 * len(table)))


def trend(
    table: pd.DataFrame,
    when: str = "uploaded",
    eligible: str = "eligible",
    rate: str = "eligibility_rate",
    backlog: str = "backlog",
    label: str = "label",
    title: str | None = None,
) -> go.Figure:
    """Eligible applicants and the renewal backlog (left axis) and the eligibility rate
    (right axis) per upload, one point per row in time order."""
    if table.empty:
        return empty(title, "No upload of this export could be read")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    names = table[label].astype("string")
    rate_words = vocabulary.column_label(rate)
    for column, name, colour in (
        (eligible, vocabulary.column_label(eligible), STATUS_COLOURS["eligible"]),
        (backlog, BACKLOG, STATUS_COLOURS["overdue"]),
    ):
        fig.add_trace(
            go.Scatter(
                x=table[when],
                y=table[column],
                name=name,
                mode="lines+markers",
                marker={"size": 10, "color": colour},
                line={"color": colour},
                text=names,
                hovertemplate="%{text}: %{y:,}<extra>" + name + "</extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=table[when],
            y=table[rate],
            name=rate_words,
            mode="lines+markers",
            marker={"size": 10, "color": ACCENT},
            line={"color": ACCENT, "dash": "dot"},
            text=names,
            hovertemplate="%{text}: %{y:.1%}<extra>" + rate_words + "</extra>",
        ),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="people", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=rate_words, tickformat=".0%", range=[0, 1], secondary_y=True)
    fig.update_xaxes(title_text="uploaded")
    return _layout(fig, title)
