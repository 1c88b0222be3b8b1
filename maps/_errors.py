"""The package's one exception.

MapsError (ValueError)   invalid records or options passed to the maps
"""


class MapsError(ValueError):
    """Records or options the maps cannot draw."""
