"""`metric-pulse report`: one self-contained HTML dashboard of the marts (docs/report.md).

queries.py aggregates in SQL, charts.py turns rows into Vega-Lite specs (altair), page.py renders
the HTML with the chart runtime inline, files.py writes private files and the segment snapshot,
build.py puts the sections together.
"""
