"""The demo district: a synthetic corner of Nanhu whose staff use the phones for a week.

``custody demo`` (and ``scripts/serve.sh`` on an empty database) builds it:
``district`` registers the villages, booths, bins, rooms, vehicles, plants and
people; ``days`` plans each day's field scans and the truth they should add up
to; ``phone`` sends them to the scan service exactly as the phone pages do
(``camera`` draws the photographed share); ``sheets`` prints the labels;
``build`` ties it together.
"""

from custody.demo.build import build, collected_shares, photographed_today
from custody.demo.sheets import label_folder
from custody.demo.spec import DemoReport, DemoSpec

__all__ = ["DemoReport", "DemoSpec", "build", "collected_shares", "label_folder",
           "photographed_today"]
