"""Services: take primitives and a database, run one unit of work, return plain data."""
