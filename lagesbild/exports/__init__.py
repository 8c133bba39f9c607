"""Exports of published cells: CSV, XLSX and the PDF lägesbild report.

`formats` and `notes` are pure (no ORM); `cells` reads through the dashboards'
selectors; `services` writes files and audit rows; `report` renders the PDF.
"""
