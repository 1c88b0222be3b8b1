"""The custody domain: assets, handovers, the rules that flag them, the ledger encoding.

Nothing here imports Flask or SQLAlchemy.
"""
