"""Live sources: SL 323 real-time hydrology databases synced into the store.

Modules
-------
secrets   feed URLs (with their credentials) in the settings file, masked everywhere else
source    reading the SL 323 tables through a SQLAlchemy URL
sync      one incremental run: read, validate like a file import, write in one transaction
water     the state of each water station (the one rule), hydrographs, freshness alarms
worker    the background sync loop of the served app (one per store, with backoff)
demo      the demo SL 323 SQLite database and its accelerated replay of the June storm
cli       ``python -m emergency feed add|list|run``
"""
