"""One self-contained HTML page from the evidence bundle: inline CSS, no scripts, no links out.

The verdict first, then per dialect the checklist with links to each item's evidence, every
failure with its failing step, the exchange behind it and a command that reproduces it, and
finally every scenario with its steps and exchanges.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from .readiness import FAILED, MANUAL, NO_EVIDENCE, NOT_APPLICABLE, PASSED, SKIPPED

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;
background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px}
h3{font-size:16px;margin:20px 0 6px}
.meta{color:#5a6272;font-size:13px}.meta code{font-size:12px}
.verdict{display:inline-block;padding:4px 12px;border-radius:14px;font-weight:600;color:#fff}
.v-ready{background:#1b7f3b}.v-ready_with_risks{background:#b26a00}.v-not_ready{background:#b42318}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 16px;margin:12px 0}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e6e9ee;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.s{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;white-space:nowrap}
.s-passed{background:#dcf3e3;color:#135c2b}.s-failed{background:#fde2df;color:#8f1d14}
.s-skipped,.s-no-evidence{background:#fff1d6;color:#7a4a00}
.s-not-applicable,.s-manual-review,.s-not-run{background:#eceef2;color:#4a5263}
.sev-critical{color:#b42318;font-weight:600}.sev-important{color:#b26a00}.sev-advisory{color:#5a6272}
pre{background:#0f1420;color:#e8ecf3;padding:10px;border-radius:6px;overflow:auto;font-size:12px;
max-height:420px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.cmd{background:#eef1f5;color:#1d2330;padding:6px 8px;border-radius:4px;display:block;
white-space:pre-wrap;word-break:break-all}
details{margin:6px 0}summary{cursor:pointer}
ol.steps{padding-left:22px}ol.steps li{margin:3px 0}
.err{color:#8f1d14;white-space:pre-wrap}.muted{color:#5a6272}
a{color:#1f5fbf;text-decoration:none}a:hover{text-decoration:underline}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _status(status: str) -> str:
    return f'<span class="s s-{status.replace(" ", "-")}">{_e(status)}</span>'


def _verdict(level: str, label: str) -> str:
    return f'<span class="verdict v-{_e(level)}">{_e(label)}</span>'


def _json(value: Any) -> str:
    return _e(json.dumps(value, indent=2, ensure_ascii=False))


def _exchange(x: dict[str, Any], open_: bool = False) -> str:
    req, resp = x["request"], x["response"]
    outcome = f"HTTP {resp['status']}" if resp else f"no response ({_e(x['error'])})"
    request_doc = {k: v for k, v in req.items() if v not in (None, {}, [])}
    parts = [
        f'<details id="{_e(x["id"])}"{" open" if open_ else ""}><summary><code>{_e(x["id"])}'
        f"</code> {_e(x['op'])}: <code>{_e(req['method'])} {_e(req['path'])}</code> &rarr; "
        f"{outcome} <span class=muted>{_e(x['started'])}, {x['duration_ms']:.1f} ms"
        f"{', request id ' + _e(x['request_id']) if x.get('request_id') else ''}</span></summary>",
        f"<pre>{_json(request_doc)}</pre>",
    ]
    if resp:
        parts.append(f"<pre>{_json(resp)}</pre>")
    parts.append("</details>")
    return "".join(parts)


def _failure(s: dict[str, Any]) -> str:
    steps, index = s["steps"], s.get("failing_step")
    out = [f'<div class="card"><h3><a href="#{_e(s["id"])}">{_e(s["name"])}</a></h3>']
    ids: list[str] = []
    message = s.get("reason")
    if index is not None and index < len(steps):
        step = steps[index]
        out.append(f"<p>Failing step: <b>{_e(step['keyword'])} {_e(step['text'])}</b></p>")
        ids, message = step["exchanges"], step.get("error") or message
    if message:
        out.append(f'<p class="err">{_e(message)}</p>')
    exchanges = [x for x in s["exchanges"] if x["id"] in ids] or s["exchanges"][-1:]
    if exchanges:
        out.append("<p>The exchange:</p>")
        out += [_exchange(x, open_=True) for x in exchanges]
    items = ", ".join(f'<a href="#item-{_e(i)}">{_e(i)}</a>' for i in s["items"])
    if items:
        out.append(f"<p>Checklist items: {items}</p>")
    out.append(f'<p>Reproduce:</p><code class="cmd">{_e(s["reproduce"])}</code></div>')
    return "".join(out)


def _scenario(s: dict[str, Any]) -> str:
    steps = []
    for step in s["steps"]:
        line = f"{_status(step['status'])} {_e(step['keyword'])} {_e(step['text'])}"
        if step.get("error"):
            line += f'<div class="err">{_e(step["error"])}</div>'
        xs = [x for x in s["exchanges"] if x["id"] in step["exchanges"]]
        steps.append(f"<li>{line}{''.join(_exchange(x) for x in xs)}</li>")
    loose = [x for x in s["exchanges"] if x["step"] is None]
    extra = ""
    if loose:
        extra = "<p>Exchanges outside the steps:</p>" + "".join(_exchange(x) for x in loose)
    reason = f' <span class="muted">{_e(s["reason"])}</span>' if s.get("reason") else ""
    items = ", ".join(f'<a href="#item-{_e(i)}">{_e(i)}</a>' for i in s["items"])
    return (
        f'<details class="card" id="{_e(s["id"])}"><summary>{_status(s["status"])} '
        f"<b>{_e(s['feature'])}</b>: {_e(s['name'])} <span class=muted>({_e(s['id'])}, "
        f"{s['duration_s']:.2f} s)</span>{reason}</summary>"
        f"<p class=muted>Checklist items: {items or 'none'}</p>"
        f'<ol class="steps">{"".join(steps)}</ol>{extra}'
        f'<p>Reproduce:</p><code class="cmd">{_e(s["reproduce"])}</code></details>'
    )


def _item_row(item: dict[str, Any], runs: dict[str, dict[str, Any]]) -> str:
    links = []
    for ev in item["evidence"]:
        run = runs.get(ev["run"])
        title = run["name"] if run else ev["run"]
        mark = "" if ev["status"] == PASSED else f" ({_e(ev['status'])})"
        links.append(f'<a href="#{_e(ev["run"])}" title="{_e(title)}">{_e(ev["run"])}</a>{mark}')
    evidence = " ".join(links) or '<span class="muted">none</span>'
    for check in item["checks"]:
        evidence += f'<div class="muted">check: {_e(check["check"])}: {_e(check["detail"])}</div>'
    note = f'<div class="muted">{_e(item["note"])}</div>' if item.get("note") else ""
    detail = ""
    if item["status"] not in (PASSED, MANUAL) and item.get("detail"):
        detail = f'<div class="err">{_e(item["detail"])}</div>'
    return (
        f'<tr id="item-{_e(item["id"])}"><td><code>{_e(item["id"])}</code></td>'
        f"<td>{_e(item['text'])}{note}{detail}</td>"
        f'<td class="sev-{_e(item["severity"])}">{_e(item["severity"])}</td>'
        f"<td>{_e(item['lane'])}</td><td>{_status(item['status'])}</td><td>{evidence}</td></tr>"
    )


def _listing(title: str, ids: list[str], items: dict[str, dict[str, Any]]) -> str:
    if not ids:
        return ""
    rows = "".join(
        f'<li><a href="#item-{_e(i)}"><code>{_e(i)}</code></a> {_e(items[i]["text"])} '
        f"{_status(items[i]['status'])}</li>"
        for i in ids
    )
    return f"<p><b>{_e(title)}</b></p><ul>{rows}</ul>"


def _dialect(d: dict[str, Any]) -> str:
    v = d["verdict"]
    items = {i["id"]: i for i in d["items"]}
    runs = {s["id"]: s for s in d["scenarios"]}
    title = d["checklist"]["title"] if d["checklist"] else "no checklist"
    out = [
        f'<section id="dialect-{_e(d["dialect"])}"><h2>{_e(d["dialect"])}: '
        f"{_verdict(v['level'], v['label'])}</h2>",
        f'<p class="meta">{_e(title)}'
        + (f" &middot; source: {_e(d['checklist']['source'])}" if d["checklist"] else "")
        + "</p>",
        '<div class="card">',
    ]
    for problem in v["problems"]:
        out.append(f'<p class="err">Problem: {_e(problem)}</p>')
    out.append(_listing("Blockers (critical items without a pass)", v["blockers"], items))
    out.append(_listing("Risks (important items without a pass)", v["risks"], items))
    out.append(_listing("Advisory items without a pass", v["notes"], items))
    if not (v["problems"] or v["blockers"] or v["risks"] or v["notes"]):
        out.append("<p>Every automated item passed with evidence.</p>")
    out.append(
        f"<p>{len(v['manual'])} manual item(s) to review: "
        + ", ".join(f'<a href="#item-{_e(i)}">{_e(i)}</a>' for i in v["manual"])
        + "</p></div>"
    )
    if d["items"]:
        rows = "".join(_item_row(i, runs) for i in d["items"])
        out.append(
            "<h3>Checklist</h3><table><thead><tr><th>Id</th><th>Item</th><th>Severity</th>"
            f"<th>Lane</th><th>Status</th><th>Evidence</th></tr></thead><tbody>{rows}</tbody>"
            "</table>"
        )
    failures = [s for s in d["scenarios"] if s["status"] in (FAILED, SKIPPED)]
    if failures:
        out.append("<h3>Failures</h3>" + "".join(_failure(s) for s in failures))
    if d["scenarios"]:
        counts: dict[str, int] = {}
        for s in d["scenarios"]:
            counts[s["status"]] = counts.get(s["status"], 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        out.append(f"<h3>Scenarios</h3><p class=muted>{_e(summary)}</p>")
        out += [_scenario(s) for s in d["scenarios"]]
    out.append("</section>")
    return "".join(out)


def _faults(hits: list[dict[str, Any]] | None) -> str:
    """A POS session's fault plan: which fault hit which request (or never fired)."""
    if hits is None:
        return ""
    rows = "".join(
        f"<tr><td><code>{_e(h['fault'])}</code></td><td>{_e(h.get('kind'))}</td>"
        f"<td>{_e(', '.join(h.get('proves') or []))}</td>"
        + (
            f"<td><code>{_e(h['request_id'])}</code> (line {_e(h.get('line'))}) "
            f"{_e(h.get('request'))} &rarr; {_e(h.get('status'))}"
            + (f" on <code>{_e(h['on'])}</code>" if h.get("on") else "")
            + "</td></tr>"
            if h.get("request_id")
            else '<td class="muted">never fired: no request matched it</td></tr>'
        )
        for h in hits
    )
    return (
        '<section id="faults"><h2>Faults</h2><table><thead><tr><th>Fault</th><th>Kind</th>'
        f"<th>Proves</th><th>Request it hit</th></tr></thead><tbody>{rows}</tbody></table>"
        "</section>"
    )


LEGEND = (
    (PASSED, "every applicable scenario passed (and every check found what it looks for)"),
    (FAILED, "a scenario failed or a check found a breach"),
    (SKIPPED, "a scenario was skipped for a reason other than not applicable"),
    (NO_EVIDENCE, "nothing applicable ran; not applicable scenarios are never evidence"),
    (NOT_APPLICABLE, "the vendor's API cannot express the scenario"),
    (MANUAL, "a person must review the item"),
)


TITLES = {"certify": "Go-live certification", "audit": "Traffic audit"}


def render_html(document: dict[str, Any]) -> str:
    verdict = document["verdict"]
    nav = " &middot; ".join(
        f'<a href="#dialect-{_e(d["dialect"])}">{_e(d["dialect"])}</a> '
        f"{_verdict(d['verdict']['level'], d['verdict']['label'])}"
        for d in document["dialects"]
    )
    legend = "".join(f"<li>{_status(s)} {_e(text)}</li>" for s, text in LEGEND)
    command = document.get("command", "certify")  # `audit`: rules over recorded traffic
    seed = "" if document["seed"] is None else f"seed {_e(document['seed'])} &middot; "
    meta = (
        f"posim {_e(document['tool']['version'])} &middot; target <code>"
        f"{_e(document['target'])}</code> &middot; {seed}"
        f"{_e(document['started_at'])} to {_e(document['finished_at'])}"
    )
    if document.get("keyword"):
        meta += f" &middot; scenarios selected by <code>-k {_e(document['keyword'])}</code>"
    body = "".join(_dialect(d) for d in document["dialects"])
    body += _faults(document.get("faults"))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>posim {_e(command)}: {_e(verdict['label'])}</title><style>{CSS}</style></head>"
        f"<body><main><h1>{_e(TITLES.get(command, 'Go-live certification'))} "
        f"{_verdict(verdict['level'], verdict['label'])}"
        f'</h1><p class="meta">{meta}</p><p>{nav}</p>'
        '<details class="card"><summary>How to read this report</summary><p><b>Ready</b>: '
        "every critical and important item passed with evidence. <b>Ready with risks</b>: "
        "every critical item passed; the important ones that did not are the risks. "
        "<b>Not ready</b>: a critical item failed, was skipped or has no evidence. Advisory "
        "items never change the verdict; manual items are for a person to review. Secrets "
        "and personal data are masked.</p>"
        f"<ul>{legend}</ul></details>{body}</main></body></html>\n"
    )
