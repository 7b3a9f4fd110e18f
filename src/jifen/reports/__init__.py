"""Reports (issue #5): each report is a small description (`base.Report`: title, header
fields, tables with column groups, widths and a row iterator) built from set-based queries
over the saved snapshots, the ledger and the year lists, and rendered by one HTML template
(`web/reports/report.html`, screen and A4 print) and one xlsx writer (`xlsx.py`).

- `scope.py`: which snapshots a report of an organisation reads; header fields.
- `results.py`: rankings, grade distribution, below-average and low-score lists.
- `statistics.py`: seed 003's statistics tables (附件2, 附件3).
- `ledger.py`: member card, branch ledger, registration table, talk list.
- `catalogue.py`: the reports of an organisation, by slug (one URL each).
- `xlsx.py`, `xlsx_rows.py`: the streamed, write-only workbook.
"""
