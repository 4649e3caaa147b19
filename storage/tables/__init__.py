"""Every table, registered by importing its module here; and the projections, in rebuild order.

A feature adds its tables in a module of its own and lists it below: an explicit list, so
migrations, rebuilds and the schema test see exactly what is named here, in this order.
"""
from __future__ import annotations

from sqlalchemy import Table

# Imported in this order, which is the metadata's order (as when the tables lived in one folder).
from storage.tables import base  # noqa: I001 - the order is the point
from storage.tables import ledger, org, projects, trips, operational
from storage.tables import calendar, facts, groups, reports, sharing, web, evidence

# Tables that are a pure function of the ledger: emptied (in reverse) and refilled by a rebuild.
PROJECTION_TABLES: tuple[Table, ...] = (
    *org.PROJECTION_TABLES, *projects.PROJECTION_TABLES, *trips.PROJECTION_TABLES, *facts.PROJECTION_TABLES,
    *groups.PROJECTION_TABLES, *reports.PROJECTION_TABLES, *sharing.PROJECTION_TABLES,
    *evidence.PROJECTION_TABLES,
)

metadata = base.Base.metadata
