# -*- coding: utf-8 -*-
# Copyright (c) fleetops.patch_manager contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report's ``index.html``: one self-contained page (inline CSS, SVG charts, a little JS).

Opened from a file, with no network: no external asset, font or script. Charts are SVG drawn
here, so the page reads the same with scripts off; the script only sorts and filters the host
table. Numbers carry ``data-metric`` attributes so that tests (and scrapers) can read them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import json

COLORS = {'compliant': '#2f9e44', 'non_compliant': '#e03131', 'failed': '#f08c00', 'unreported': '#adb5bd',
          'critical': '#c2255c', 'security': '#e8590c', 'missing': '#1c7ed6', 'accent': '#364fc7'}
OUTCOME_LABELS = (('compliant', 'Compliant'), ('non_compliant', 'Non-compliant'), ('failed', 'Last run failed'),
                  ('unreported', 'No data'))
NO_GROUP = '(no patch group)'


def esc(value):
    return html.escape('' if value is None else str(value), quote=True)


def percent(part, whole):
    return 0.0 if not whole else 100.0 * part / whole


def fmt(number):
    return '{:,}'.format(int(number or 0))


# ---------------------------------------------------------------------------------------------
# SVG charts


def donut(segments, total, label):
    """A ring of ``segments`` [(name, value, color)] with ``total`` and ``label`` in the middle."""
    radius, width = 70, 22
    circumference = 2 * 3.141592653589793 * radius
    parts = ['<svg class="donut" viewBox="0 0 200 200" role="img" aria-label="%s">' % esc(label),
             '<circle cx="100" cy="100" r="%d" fill="none" stroke="#e9ecef" stroke-width="%d"/>' % (radius, width)]
    offset = 0.0
    for name, value, color in segments:
        if not value or not total:
            continue
        length = circumference * value / total
        parts.append('<circle cx="100" cy="100" r="%d" fill="none" stroke="%s" stroke-width="%d" '
                     'stroke-dasharray="%.2f %.2f" stroke-dashoffset="%.2f" transform="rotate(-90 100 100)">'
                     '<title>%s: %s</title></circle>'
                     % (radius, color, width, length, circumference - length, -offset, esc(name), fmt(value)))
        offset += length
    share = percent(segments[0][1], total) if segments else 0
    parts.append('<text x="100" y="98" text-anchor="middle" class="donut-big">%.0f%%</text>' % share)
    parts.append('<text x="100" y="122" text-anchor="middle" class="donut-small">%s</text>' % esc(label))
    parts.append('</svg>')
    return ''.join(parts)


def stacked_bars(rows, attribute):
    """Horizontal stacked bars (HTML, so labels stay sharp at any width): (name, {outcome: hosts}, total)."""
    if not rows:
        return '<p class="empty">No hosts.</p>'
    parts = ['<div class="hbars">']
    for name, outcomes, total in rows:
        parts.append('<div class="hbar" %s="%s" data-hosts="%d" data-compliant="%d" data-non-compliant="%d" '
                     'data-failed="%d"><div class="hbar-label" title="%s">%s</div><div class="hbar-track">'
                     % (attribute, esc(name), total, outcomes.get('compliant', 0), outcomes.get('non_compliant', 0),
                        outcomes.get('failed', 0), esc(name), esc(name)))
        for outcome, title in OUTCOME_LABELS:
            value = outcomes.get(outcome, 0)
            if value:
                parts.append('<span style="width:%.2f%%;background:%s" title="%s: %s of %s"></span>'
                             % (percent(value, total), COLORS[outcome], esc(title), fmt(value), fmt(total)))
        parts.append('</div><div class="hbar-value"><b>%.0f%%</b> %s/%s</div></div>'
                     % (percent(outcomes.get('compliant', 0), total), fmt(outcomes.get('compliant', 0)), fmt(total)))
    parts.append('</div>')
    return ''.join(parts)


def value_bars(rows, color, unit):
    """Horizontal bars of single values (HTML): (label, value, tooltip)."""
    if not rows:
        return '<p class="empty">None.</p>'
    top = max(value for dummy, value, dummy2 in rows) or 1
    parts = ['<div class="hbars">']
    for label, value, tooltip in rows:
        parts.append('<div class="hbar"><div class="hbar-label">%s</div><div class="hbar-track plain">'
                     '<span style="width:%.2f%%;background:%s" title="%s"></span></div>'
                     '<div class="hbar-value"><b>%s</b> %s</div></div>'
                     % (esc(label), max(0.5, percent(value, top)), color, esc(tooltip), fmt(value), esc(unit)))
    parts.append('</div>')
    return ''.join(parts)


def trend_chart(points):
    """Stacked areas of compliant / non-compliant hosts per day, and the missing patches as a line."""
    if len(points) < 1:
        return '<p class="empty">No operations in the trend period yet.</p>'
    width, height, left, right, top, bottom = 760, 270, 48, 56, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    most_hosts = max(point['instances'] for point in points) or 1
    most_missing = max(point['missing_count'] for point in points) or 1
    count = len(points)

    def x_at(index):
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y_hosts(value):
        return top + plot_h - plot_h * value / most_hosts

    parts = ['<svg class="trend" viewBox="0 0 %d %d" role="img" aria-label="Compliance over time">' % (width, height)]
    for step in range(5):
        value = most_hosts * step / 4.0
        y = y_hosts(value)
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>' % (left, left + plot_w, y, y))
        parts.append('<text x="%d" y="%.1f" text-anchor="end" class="axis">%s</text>' % (left - 6, y + 4, fmt(value)))
        missing = most_missing * step / 4.0
        parts.append('<text x="%d" y="%.1f" class="axis axis-right">%s</text>' % (left + plot_w + 6, y + 4, fmt(missing)))
    compliant = [(x_at(index), y_hosts(point['compliant'])) for index, point in enumerate(points)]
    total = [(x_at(index), y_hosts(point['instances'])) for index, point in enumerate(points)]
    base = [(x_at(index), y_hosts(0)) for index in range(count)]
    if count == 1:
        # One day: a bar rather than an area.
        x = x_at(0)
        parts.append('<rect x="%.1f" y="%.1f" width="24" height="%.1f" fill="%s" opacity="0.85"/>'
                     % (x - 12, compliant[0][1], base[0][1] - compliant[0][1], COLORS['compliant']))
        parts.append('<rect x="%.1f" y="%.1f" width="24" height="%.1f" fill="%s" opacity="0.85"/>'
                     % (x - 12, total[0][1], compliant[0][1] - total[0][1], COLORS['non_compliant']))
    else:
        parts.append('<polygon points="%s" fill="%s" opacity="0.85"/>'
                     % (_points(compliant + base[::-1]), COLORS['compliant']))
        parts.append('<polygon points="%s" fill="%s" opacity="0.85"/>'
                     % (_points(total + compliant[::-1]), COLORS['non_compliant']))
    missing_line = [(x_at(index), top + plot_h - plot_h * point['missing_count'] / most_missing)
                    for index, point in enumerate(points)]
    parts.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round"/>'
                 % (_points(missing_line), COLORS['missing']))
    for index, point in enumerate(points):
        x, y = missing_line[index]
        parts.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s" data-date="%s" data-compliant="%d" '
                     'data-non-compliant="%d" data-missing="%d"><title>%s: %s compliant, %s non-compliant, '
                     '%s missing patches</title></circle>'
                     % (x, y, COLORS['missing'], esc(point['date']), point['compliant'], point['non_compliant'],
                        point['missing_count'], esc(point['date']), fmt(point['compliant']),
                        fmt(point['non_compliant']), fmt(point['missing_count'])))
    labels = sorted(set([0, count - 1] + list(range(0, count, max(1, count // 6)))))
    for index in labels:
        if index < count - 1 and count - 1 - index < max(1, count // 6) / 2.0:
            continue  # keep the last label readable
        parts.append('<text x="%.1f" y="%d" text-anchor="middle" class="axis">%s</text>'
                     % (x_at(index), height - 12, esc(points[index]['date'][5:])))
    parts.append('<text x="%d" y="12" class="axis">hosts</text>' % 4)
    parts.append('<text x="%d" y="12" text-anchor="end" class="axis">missing patches</text>' % (width - 2))
    parts.append('</svg>')
    return ''.join(parts)


def _points(pairs):
    return ' '.join('%.1f,%.1f' % pair for pair in pairs)


# ---------------------------------------------------------------------------------------------
# Page


def _card(metric, label, value, note='', tone=''):
    return ('<div class="card %s"><div class="card-label">%s</div><div class="card-value" data-metric="%s">%s</div>'
            '<div class="card-note">%s</div></div>' % (tone, esc(label), esc(metric), fmt(value), note))


def _legend():
    return '<div class="legend">%s<span><i style="background:%s"></i>Missing patches</span></div>' % (
        ''.join('<span><i style="background:%s"></i>%s</span>' % (COLORS[name], esc(label))
                for name, label in OUTCOME_LABELS[:2]), COLORS['missing'])


def _group_rows(data, key, attribute_name):
    rows = []
    instances = data['instances']
    for name in sorted(set(item[key] or '' for item in instances), key=lambda value: (value == '', value.lower())):
        outcomes = {}
        members = [item for item in instances if (item[key] or '') == name]
        for item in members:
            outcomes[item['outcome']] = outcomes.get(item['outcome'], 0) + 1
        label = name or (NO_GROUP if key == 'patch_group' else '(unknown OS)')
        rows.append((label, outcomes, len(members)))
    return stacked_bars(rows, attribute_name)


def _severity_badge(item):
    if item['outcome'] == 'failed':
        return '<span class="badge failed">RUN FAILED</span>'
    if item['outcome'] == 'unreported':
        return '<span class="badge unreported">NO DATA</span>'
    if item['compliance_status'] == 'COMPLIANT':
        return '<span class="badge compliant">COMPLIANT</span>'
    return '<span class="badge non_compliant">%s</span>' % esc(item['non_compliant_severity'] or 'NON_COMPLIANT')


def _behind_table(data):
    items = data['most_behind']
    if not items:
        return '<p class="empty">Every host is compliant.</p>'
    top = max(item['missing_count'] + item['failed_count'] for item in items) or 1
    rows = []
    for item in items:
        behind = item['missing_count'] + item['failed_count']
        rows.append('<tr data-instance="%s"><td class="host">%s</td><td>%s</td><td>%s</td>'
                    '<td class="num crit">%s</td><td class="num sec">%s</td>'
                    '<td class="meter"><span style="width:%.0f%%"></span><b>%s</b></td><td class="num">%s</td>'
                    '<td class="num">%s</td><td>%s</td></tr>'
                    % (esc(item['instance_id']), esc(item['instance_id']), esc(item['patch_group'] or '\u2014'),
                       esc(item['operating_system']), fmt(item['critical_non_compliant_count']),
                       fmt(item['security_non_compliant_count']), percent(behind, top),
                       fmt(item['missing_count']), fmt(item['failed_count']),
                       fmt(item['installed_pending_reboot_count']), esc(item['operation_end_time'])))
    return ('<table class="grid-table"><thead><tr><th>Host</th><th>Patch group</th><th>OS</th><th class="num">Critical</th>'
            '<th class="num">Security</th><th>Missing</th><th class="num">Failed</th><th class="num">Pending reboot</th><th>Last report</th></tr></thead>'
            '<tbody>%s</tbody></table>' % ''.join(rows))


def _cve_section(data):
    exposure = [item for item in data['cve_exposure'] if item['instance_count']]
    if not exposure:
        return '<p class="empty">No missing or failed patch names a CVE.</p>'
    bars = [(item['cve_id'], item['instance_count'], '%s: %d hosts' % (item['cve_id'], item['instance_count']))
            for item in exposure[:12]]
    chart = value_bars(bars, COLORS['critical'], 'hosts')
    rows = []
    for item in exposure[:50]:
        hosts = sorted(set(entry['instance_id'] for entry in item['instances']))
        packages = sorted(set(entry['kb_id'] for entry in item['instances']))
        rows.append('<tr data-cve="%s" data-hosts="%d"><td class="host">%s</td><td class="num">%s</td><td>%s</td>'
                    '<td class="small">%s</td></tr>'
                    % (esc(item['cve_id']), item['instance_count'], esc(item['cve_id']), fmt(item['instance_count']),
                       esc(', '.join(packages[:4]) + (' \u2026' if len(packages) > 4 else '')),
                       esc(', '.join(hosts[:8]) + (' and %d more' % (len(hosts) - 8) if len(hosts) > 8 else ''))))
    more = '' if len(exposure) <= 50 else '<p class="note">%s more CVEs in compliance.json.</p>' % fmt(len(exposure) - 50)
    return ('%s<table class="grid-table"><thead><tr><th>CVE</th><th class="num">Hosts</th><th>Packages</th><th>Hosts exposed</th>'
            '</tr></thead><tbody>%s</tbody></table>%s' % (chart, ''.join(rows), more))


def _windows_section(data):
    executions = data['window_executions']
    if not executions:
        return ''
    rows = []
    for item in executions:
        hosts = sum(len(task.get('hosts') or {}) for task in item.get('tasks') or [])
        rows.append('<tr data-window-execution="%s"><td class="host">%s</td><td>%s</td><td><span class="badge %s">%s'
                    '</span></td><td>%s</td><td>%s</td><td class="num">%d</td><td class="num">%s</td></tr>'
                    % (esc(item['window_execution_id']), esc(item['window']), esc(item['window_execution_id']),
                       'compliant' if item['status'] == 'SUCCESS' else 'non_compliant', esc(item['status']),
                       esc(item.get('start_time')), esc(item.get('end_time')), len(item.get('tasks') or []),
                       fmt(hosts)))
    return ('<section class="panel"><h2>Maintenance window executions</h2><table class="grid-table"><thead><tr><th>Window</th>'
            '<th>Execution</th><th>Status</th><th>Start</th><th>End</th><th class="num">Tasks</th><th class="num">Host runs</th></tr></thead>'
            '<tbody>%s</tbody></table></section>' % ''.join(rows))


def _hosts_table(data):
    rows = []
    for item in data['instances']:
        rows.append('<tr data-instance="%s" data-outcome="%s"><td class="host">%s</td><td>%s</td><td>%s</td><td>%s</td>'
                    '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                    '<td class="num">%s</td><td class="num">%s</td><td>%s</td><td>%s</td></tr>'
                    % (esc(item['instance_id']), esc(item['outcome']), esc(item['instance_id']),
                       esc(item['patch_group'] or '\u2014'), esc(item['operating_system']), _severity_badge(item),
                       fmt(item['installed_count']), fmt(item['missing_count']), fmt(item['failed_count']),
                       fmt(item['installed_pending_reboot_count']), fmt(item['critical_non_compliant_count']),
                       fmt(item['security_non_compliant_count']), esc(item['operation_end_time'] or '\u2014'),
                       esc(item['last_operation_status'])))
    return ('<div class="table-tools"><input id="host-filter" type="search" placeholder="Filter hosts, groups, OS, '
            'status\u2026" aria-label="Filter hosts"><span id="host-count" data-metric="hosts_shown">%s</span> '
            'of %s hosts</div><table class="grid-table sortable" id="hosts"><thead><tr><th>Host</th><th>Patch group</th>'
            '<th>OS</th><th>Status</th><th class="num">Installed</th><th class="num">Missing</th><th class="num">Failed</th><th class="num">Pending reboot</th>'
            '<th class="num">Critical</th><th class="num">Security</th><th>Last report</th><th>Last run</th></tr></thead><tbody>%s</tbody>'
            '</table>' % (fmt(len(data['instances'])), fmt(len(data['instances'])), ''.join(rows)))


def page(data):
    """The whole index.html."""
    totals = data['summary']['totals']
    outcomes = data['outcomes']
    hosts = totals['instances']
    segments = [('Compliant', outcomes['compliant'], COLORS['compliant']),
                ('Non-compliant', outcomes['non_compliant'], COLORS['non_compliant']),
                ('Last run failed', outcomes['failed'], COLORS['failed']),
                ('No data', outcomes['unreported'], COLORS['unreported'])]
    cards = ''.join((
        _card('instances', 'Hosts', hosts, 'in the store'),
        _card('compliant', 'Compliant', outcomes['compliant'], '%.1f%% of hosts' % percent(outcomes['compliant'], hosts),
              'good'),
        _card('non_compliant', 'Non-compliant', outcomes['non_compliant'], 'missing, failed, pending or rejected',
              'bad'),
        _card('failed', 'Last run failed', outcomes['failed'], 'see the host table', 'warn'),
        _card('stale', 'Not reported', data['stale'], 'for %s or never' % esc(data['stale_after']), 'muted'),
        _card('critical_non_compliant_count', 'Critical patches', totals['critical_non_compliant_count'],
              'non-compliant, compliance level CRITICAL', 'crit'),
        _card('security_non_compliant_count', 'Security patches', totals['security_non_compliant_count'],
              'non-compliant, classified Security', 'sec'),
        _card('missing_count', 'Missing patches', totals['missing_count'],
              '%s failed' % fmt(totals['failed_count']), ''),
    ))
    legend = ''.join('<span><i style="background:%s"></i>%s <b>%s</b></span>' % (color, esc(name), fmt(value))
                     for name, value, color in segments)
    body = '''
<header>
  <div>
    <h1>%(title)s</h1>
    <p class="sub">%(hosts)s hosts &middot; data as of <b data-metric="as_of">%(as_of)s</b> &middot; store <code>%(store)s</code></p>
  </div>
  <nav><a href="instances.csv">instances.csv</a><a href="patches.csv">patches.csv</a>
    <a href="compliance.json">compliance.json</a><a href="junit.xml">junit.xml</a></nav>
</header>
<main>
<section class="cards">%(cards)s</section>
<section class="row">
  <div class="panel narrow"><h2>Fleet compliance</h2>%(donut)s<div class="legend vertical">%(legend)s</div></div>
  <div class="panel wide"><h2>Trend</h2>
    <p class="note">Hosts by compliance at the end of each day (a host keeps its last report), and missing patches.</p>
    %(trend)s%(trend_legend)s</div>
</section>
<section class="row">
  <div class="panel half"><h2>By patch group</h2>%(groups)s</div>
  <div class="panel half"><h2>By operating system</h2>%(systems)s</div>
</section>
<section class="panel"><h2>Hosts most behind</h2><p class="note">Critical first, then security, then missing and failed patches.</p>%(behind)s</section>
<section class="panel"><h2>CVE exposure</h2>
  <p class="note">CVEs fixed by a patch that is missing or failed, by the number of hosts exposed.</p>%(cves)s</section>
%(windows)s
<section class="panel"><h2>All hosts</h2>%(hosts_table)s</section>
</main>
<footer>fleetops.patch_manager compliance report &middot; %(patches_note)s</footer>
''' % {
        'title': esc(data['title']), 'hosts': fmt(hosts), 'as_of': esc(data['as_of'] or 'never'),
        'store': esc(data['store']), 'cards': cards,
        'donut': donut(segments, hosts, 'compliant'), 'legend': legend,
        'trend': trend_chart(data['trend']), 'trend_legend': _legend(),
        'groups': _group_rows(data, 'patch_group', 'data-group'),
        'systems': _group_rows(data, 'operating_system', 'data-os'),
        'behind': _behind_table(data), 'cves': _cve_section(data), 'windows': _windows_section(data),
        'hosts_table': _hosts_table(data),
        'patches_note': 'patches.csv lists %s' % ('every patch' if data['patches_scope'] == 'all'
                                                  else 'the non-compliant patches'),
    }
    summary = json.dumps({'instances': hosts, 'outcomes': outcomes}, sort_keys=True).replace('<', '\\u003c')
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<title>%s</title><style>%s</style></head><body>%s'
            '<script type="application/json" id="report-summary">%s</script><script>%s</script></body></html>\n'
            % (esc(data['title']), STYLE, body, summary, SCRIPT))


STYLE = '''
:root{--ink:#212529;--muted:#6c757d;--line:#dee2e6;--bg:#f4f6fa;--panel:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;padding:22px 32px 18px;
  background:linear-gradient(135deg,#1b2a4a,#364fc7);color:#fff}
header h1{margin:0;font-size:24px;font-weight:650;letter-spacing:.2px}
header .sub{margin:4px 0 0;opacity:.85}
header code{background:rgba(255,255,255,.14);padding:1px 6px;border-radius:4px}
header nav a{color:#fff;text-decoration:none;margin-left:10px;padding:5px 10px;border:1px solid rgba(255,255,255,.35);border-radius:6px;font-size:12px}
header nav a:hover{background:rgba(255,255,255,.12)}
main{padding:20px 32px 8px;max-width:1500px;margin:0 auto}
h2{font-size:15px;margin:0 0 10px;font-weight:650}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:12px;margin-bottom:16px}
.card{background:var(--panel);border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.06);border-top:4px solid #ced4da}
.card.good{border-top-color:#2f9e44}.card.bad{border-top-color:#e03131}.card.warn{border-top-color:#f08c00}
.card.muted{border-top-color:#adb5bd}.card.crit{border-top-color:#c2255c}.card.sec{border-top-color:#e8590c}
.card-label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.5px}
.card-value{font-size:28px;font-weight:700;margin:2px 0}
.card-note{color:var(--muted);font-size:12px}
.row{display:flex;gap:16px;margin-bottom:16px;flex-wrap:wrap}
.panel{background:var(--panel);border-radius:10px;padding:16px 18px;box-shadow:0 1px 2px rgba(0,0,0,.06);margin-bottom:16px}
.row .panel{margin-bottom:0}
.narrow{flex:0 0 300px}.wide{flex:1 1 600px}.half{flex:1 1 520px}
.donut{width:220px;display:block;margin:0 auto}
.donut-big{font-size:34px;font-weight:700;fill:var(--ink)}.donut-small{font-size:13px;fill:var(--muted)}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:var(--muted);margin-top:8px}
.legend.vertical{flex-direction:column;gap:4px;margin-left:20px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.legend b{color:var(--ink);margin-left:4px}
svg.trend{width:100%;height:auto;display:block}
.hbars{display:flex;flex-direction:column;gap:8px}
.hbar{display:grid;grid-template-columns:minmax(110px,210px) 1fr 96px;gap:10px;align-items:center}
.hbar-label{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;text-align:right}
.hbar-track{display:flex;height:20px;border-radius:5px;overflow:hidden;background:#f1f3f5}
.hbar-track span{display:block;height:100%}
.hbar-track.plain span{border-radius:5px}
.hbar-value{font-size:12px;color:var(--muted);white-space:nowrap}.hbar-value b{color:var(--ink);margin-right:4px}
.axis{font-size:11px;fill:var(--muted)}.grid{stroke:#e9ecef;stroke-width:1}
.note{color:var(--muted);margin:-4px 0 10px;font-size:12px}.empty{color:var(--muted);font-style:italic}
.grid-table{width:100%;border-collapse:collapse;font-size:13px}
.grid-table th{text-align:left;font-weight:600;color:var(--muted);border-bottom:2px solid var(--line);padding:6px 8px;white-space:nowrap}
.grid-table td{border-bottom:1px solid #f1f3f5;padding:5px 8px;vertical-align:middle}
.grid-table tbody tr:hover{background:#f8f9ff}
.sortable th{cursor:pointer;user-select:none}.sortable th.asc::after{content:" \\25B2";font-size:9px}.sortable th.desc::after{content:" \\25BC";font-size:9px}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}td.host{font-weight:600}td.small{font-size:12px;color:var(--muted)}
td.crit{color:#c2255c;font-weight:600}td.sec{color:#e8590c;font-weight:600}
td.meter{position:relative;min-width:120px}
td.meter span{position:absolute;left:8px;top:7px;height:14px;background:#d0ebff;border-radius:3px}
td.meter b{position:relative;font-weight:600;padding-left:4px}
.badge{display:inline-block;font-size:11px;font-weight:700;padding:2px 7px;border-radius:10px;color:#fff;letter-spacing:.3px}
.badge.compliant{background:#2f9e44}.badge.non_compliant{background:#e03131}.badge.failed{background:#f08c00}.badge.unreported{background:#868e96}
.table-tools{display:flex;align-items:center;gap:10px;margin-bottom:8px;color:var(--muted)}
.table-tools input{flex:0 1 360px;padding:6px 10px;border:1px solid var(--line);border-radius:6px;font:inherit}
footer{color:var(--muted);font-size:12px;text-align:center;padding:10px 0 24px}
@media print{header{background:#364fc7;-webkit-print-color-adjust:exact;print-color-adjust:exact}.table-tools{display:none}}
'''

SCRIPT = '''
(function () {
  var table = document.getElementById('hosts');
  var filter = document.getElementById('host-filter');
  var counter = document.getElementById('host-count');
  if (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    filter.addEventListener('input', function () {
      var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        row.style.display = match ? '' : 'none';
        if (match) { shown += 1; }
      });
      counter.textContent = shown.toLocaleString('en-US');
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell, index) {
      cell.addEventListener('click', function () {
        var ascending = !cell.classList.contains('asc');
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.classList.remove('asc', 'desc'); });
        cell.classList.add(ascending ? 'asc' : 'desc');
        var numeric = rows.length && /^[\\d,]+$/.test(rows[0].cells[index].textContent.trim());
        rows.sort(function (a, b) {
          var x = a.cells[index].textContent.trim(), y = b.cells[index].textContent.trim();
          var order = numeric ? Number(x.replace(/,/g, '')) - Number(y.replace(/,/g, '')) : x.localeCompare(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
  var summary = JSON.parse(document.getElementById('report-summary').textContent);
  document.body.setAttribute('data-rendered-hosts', String(summary.instances));
})();
'''
