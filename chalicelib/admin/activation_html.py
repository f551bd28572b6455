"""The activation report as one self-contained HTML file, for administrators to open offline.

Safe to open and to forward: nothing is fetched (no CDN, font, stylesheet, script or image
from anywhere: the CSS is inline and the chart is SVG drawn here), and every value that
comes from the data (académie and département names, ballot labels, campaign names) goes
through `html.escape`, so a hostile name in an imported file shows as text and runs nothing.
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from chalicelib.domain.activation import ACADEMY, BALLOT, DEPARTMENT, ActivationReport, CampaignMarker, GroupRow
from chalicelib.domain.phases import PARIS

TITLE = "Activation des espaces électeurs"
KIND_LABELS = {"invitation": "invitation", "reminder": "relance"}
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
NNBSP = "\u202f"  # French thousands separator and space before "%"

CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:#1e1e1e;background:#f6f6f6}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:.2em 0 .1em;color:#000091}
h2{font-size:1.15rem;margin:1.6em 0 .5em}
.meta{color:#555;margin:0 0 1em}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 12px}
.card b{display:block;font-size:1.45rem;font-variant-numeric:tabular-nums}
.card span{color:#555;font-size:.9rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;background:#fff;border:1px solid #ddd;border-radius:6px}
table{border-collapse:collapse;width:100%;min-width:520px}
th,td{padding:6px 10px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th{background:#f0f0f7;font-weight:600;position:sticky;top:0}
th:first-child,td:first-child{text-align:left;white-space:normal;min-width:10em}
td.num,th.num{font-variant-numeric:tabular-nums}
tr:last-child td{border-bottom:0}
.id{color:#666;font-size:.85em}
.rate{display:flex;align-items:center;justify-content:flex-end;gap:8px}
.bar{display:inline-block;width:90px;height:10px;background:#e5e5f4;border-radius:5px;overflow:hidden;flex:none}
.bar span{display:block;height:100%;background:#000091}
.low .bar span{background:#ce0500}
.mid .bar span{background:#b34000}
.chart{padding:8px;direction:rtl}
.chart svg{display:block;direction:ltr;margin-right:auto}
.short,.phone{display:none}
.legend{margin:.5em 0 0;padding-left:1.2em;color:#333}
details{margin-top:.6em}
summary{cursor:pointer;color:#000091}
.note{color:#555;font-size:.9rem}
@media (max-width:600px){main{padding:10px}body{font-size:14px}h1{font-size:1.25rem}
table{min-width:0;font-size:13px}th,td{padding:5px 5px}th:first-child,td:first-child{min-width:6.5em}
.long{display:none}.short{display:inline}.phone{display:block}.id{display:block}
.rate{flex-direction:column;align-items:flex-end;gap:3px}.bar{width:48px;height:8px}}
"""


def e(value) -> str:
    """Every piece of data goes through here on its way into the page."""
    return html.escape("" if value is None else str(value), quote=True)


def number(value: int) -> str:
    return f"{value:,}".replace(",", NNBSP)


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1f}".replace(".", ",") + f"{NNBSP}%"


def long_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_day(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}"


def campaign_label(marker: CampaignMarker) -> str:
    kind = KIND_LABELS.get(marker.kind, marker.kind)
    return f"{kind} « {marker.name} »" if marker.name else kind


def rate_class(rate: float | None) -> str:
    if rate is None or rate < 25:
        return "low"
    return "mid" if rate < 50 else ""


def rate_cell(rate: float | None) -> str:
    width = 0.0 if rate is None else max(0.0, min(rate, 100.0))
    return (
        f'<td class="num {rate_class(rate)}"><span class="rate">{percent(rate)}'
        f'<span class="bar" aria-hidden="true"><span style="width:{width:.1f}%"></span></span></span></td>'
    )


def group_table(caption: str, rows: list[GroupRow], *, show_key: bool = False) -> str:
    # Short headers on a phone, so that the five columns fit without scrolling.
    head = (
        f"<tr><th scope=col>{e(caption)}</th><th class=num scope=col>Inscrits</th>"
        '<th class=num scope=col><span class="long">Espaces créés</span><span class="short">Créés</span></th>'
        "<th class=num scope=col>Activés</th>"
        '<th class=num scope=col><span class="long">Taux d\'activation</span><span class="short">Taux</span></th></tr>'
    )
    body = []
    for row in rows:
        name = e(row.label)
        if show_key and row.key != row.label:
            name += f' <span class="id">{e(row.key)}</span>'
        body.append(
            f"<tr><td>{name}</td><td class=num>{number(row.registered)}</td><td class=num>{number(row.created)}</td>"
            f"<td class=num>{number(row.activated)}</td>{rate_cell(row.rate)}</tr>"
        )
    if not body:
        body.append('<tr><td colspan="5">Aucun électeur inscrit.</td></tr>')
    return f'<div class="scroll"><table><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>'


def tick_step(peak: int) -> int:
    """The gap between the y axis's lines: 1, 2 or 5 times a power of ten, about four lines."""
    target = max(1, -(-peak // 4))
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= target:
                return step * magnitude
        magnitude *= 10


def activation_chart(days: list[tuple[date, int]], markers: list[CampaignMarker]) -> str:
    """Bars per day, in pixels (not scaled to the screen, so the text stays legible), inside a
    container that scrolls horizontally on a narrow screen."""
    if not days:
        return '<p class="note">Aucune activation pour l\'instant.</p>'
    # About 900 px wide whatever the number of days; a phone scrolls it, starting at the most
    # recent days (the container is right-to-left, the drawing left-to-right).
    step = max(8, min(80, 860 // len(days)))
    left, right, top, bottom, plot_height = 46, 16, 18 + 14 * min(len(markers), 3), 34, 200
    width = left + step * len(days) + right
    height = top + plot_height + bottom
    tick = tick_step(max(count for _, count in days))
    peak = tick * max(1, -(-max(count for _, count in days) // tick))
    index = {day: i for i, (day, _) in enumerate(days)}

    def y(count: int) -> float:
        return top + plot_height * (1 - count / peak)

    parts = []
    for level in range(0, peak + 1, tick):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(level):.1f}" y2="{y(level):.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(level) + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
            f"{number(level)}</text>"
        )
    label_every = max(1, -(-44 // step))
    for i, (day, count) in enumerate(days):
        x = left + i * step
        bar_top = y(count)
        parts.append(
            f'<rect x="{x + 1}" y="{bar_top:.1f}" width="{max(step - 2, 1)}" height="{top + plot_height - bar_top:.1f}"'
            f' fill="#000091"><title>{e(long_day(day))} : {number(count)} activation{"s" if count > 1 else ""}'
            "</title></rect>"
        )
        if count and step >= 22:  # the value on the bar: readable when the y axis scrolled away
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{bar_top - 4:.1f}" text-anchor="middle" font-size="11"'
                f' fill="#1e1e1e">{number(count)}</text>'
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{top + plot_height + 16}" text-anchor="middle" font-size="11"'
                f' fill="#555">{short_day(day)}</text>'
            )
    for n, marker in enumerate(markers):
        if marker.day not in index:
            continue
        x = left + index[marker.day] * step  # the start of the day: clear of the bar's value
        label_y = 13 + 14 * (n % 3)
        text = f"{short_day(marker.day)} {truncate(campaign_label(marker), 40)}"
        # Right of the line if it fits (about 6.5 px a character at this size), else left of it.
        anchor = "end" if x + 4 + 6.5 * len(text) > width and x > width / 2 else "start"
        dx = -4 if anchor == "end" else 4
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{label_y + 3}" y2="{top + plot_height}" stroke="#ce0500"'
            ' stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{x + dx:.1f}" y="{label_y}" text-anchor="{anchor}" font-size="11" fill="#ce0500">'
            f"{e(text)}</text>"
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_height}" y2="{top + plot_height}" stroke="#999"/>'
    )
    svg = (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' role="img" aria-labelledby="chart-title"><title id="chart-title">Activations par jour</title>'
        f"{''.join(parts)}</svg>"
    )
    return f'<div class="scroll chart">{svg}</div>'


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def campaign_legend(markers: list[CampaignMarker]) -> str:
    if not markers:
        return '<p class="note">Aucune campagne lancée.</p>'
    items = "".join(
        f"<li>{e(long_day(m.day))} : {e(campaign_label(m))} <span class=id>{e(m.campaign_id)}</span></li>"
        for m in markers
    )
    return f'<ul class="legend">{items}</ul>'


def day_table(days: list[tuple[date, int]]) -> str:
    rows = "".join(
        f"<tr><td>{e(long_day(day))}</td><td class=num>{number(count)}</td></tr>" for day, count in days if count
    )
    return (
        "<details><summary>Détail par jour</summary>"
        '<div class="scroll"><table style="min-width:0"><thead><tr><th scope=col>Jour</th>'
        f"<th class=num scope=col>Activations</th></tr></thead><tbody>{rows}</tbody></table></div></details>"
    )


def totals_cards(report: ActivationReport) -> str:
    total = report.totals()
    cards = [
        (number(total.registered), "électeurs inscrits"),
        (number(total.created), "espaces créés"),
        (number(total.activated), "espaces activés"),
        (percent(total.rate), "taux d'activation"),
    ]
    return (
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{v}</b><span>{e(t)}</span></div>' for v, t in cards)
        + "</div>"
    )


def render_report(report: ActivationReport) -> str:
    generated = report.generated_at.astimezone(PARIS)
    days = report.days()
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(TITLE)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>{e(TITLE)}</h1>
<p class="meta">Généré le {e(long_day(generated.date()))} à {generated:%H:%M} (heure de Paris) ·
{number(report.voters_read)} électeurs lus, dont {number(report.tally.not_listed)} retirés des listes (non comptés).</p>
{totals_cards(report)}
<h2>Activations par jour</h2>
<p class="note phone">Les jours les plus récents sont à droite ; faites glisser le graphique pour remonter le temps.</p>
{activation_chart(days, report.campaigns)}
{campaign_legend(report.campaigns)}
{day_table(days)}
<h2>Par académie</h2>
<p class="note">Le taux d'activation le plus bas en premier : là où relancer.</p>
{group_table("Académie", report.rows(ACADEMY))}
<h2>Par département</h2>
{group_table("Département", report.rows(DEPARTMENT))}
<h2>Par scrutin</h2>
{group_table("Scrutin", report.rows(BALLOT), show_key=True)}
</main>
</body>
</html>
"""


def write_report(report: ActivationReport, path) -> Path:
    """Write the page (UTF-8) at `path`, whole: a temporary file renamed over it, so that a
    report open in a browser is never seen half written."""
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(render_report(report), encoding="utf-8")
    temporary.replace(target)
    return target
