"""Custody: QR-based chain of custody for sorted municipal waste.

Layers, outermost first: ``custody.web`` and ``custody.cli`` parse requests and
call ``custody.services``; services run units of work over ``custody.db`` and
apply the rules of ``custody.domain``, which imports neither Flask nor
SQLAlchemy.
"""
