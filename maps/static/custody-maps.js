/* Custody maps: lines drawn beside one another, and a legend that folds on a phone.
   Part of the custody project (ours, not vendored).

   L.CustodyLine is an L.Polyline with an `offset` option in screen pixels: the line is
   shifted sideways (to its left, looking from its first point to its last) after
   projection, so flows of several categories between the same two places lie side by
   side at every zoom instead of on top of each other. */
(function () {
    "use strict";

    function shifted(ring, offset) {
        var out = [];
        for (var i = 0; i < ring.length; i++) {
            var a = ring[Math.max(0, i - 1)], b = ring[Math.min(ring.length - 1, i + 1)];
            var dx = b.x - a.x, dy = b.y - a.y, length = Math.sqrt(dx * dx + dy * dy) || 1;
            out.push(L.point(ring[i].x + dy / length * offset, ring[i].y - dx / length * offset));
        }
        return out;
    }

    L.CustodyLine = L.Polyline.extend({
        options: {offset: 0},
        _projectLatlngs: function (latlngs, result, bounds) {
            var first = result.length;
            L.Polyline.prototype._projectLatlngs.call(this, latlngs, result, bounds);
            if (!this.options.offset || !(latlngs[0] instanceof L.LatLng)) {
                return;  // nested rings come back through here one flat ring at a time
            }
            for (var i = first; i < result.length; i++) {
                result[i] = shifted(result[i], this.options.offset);
                for (var k = 0; k < result[i].length; k++) { bounds.extend(result[i][k]); }
            }
        }
    });

    /* A popup is panned into view below the panel, not under it. */
    L.Map.addInitHook(function () {
        this.on("popupopen", function (event) {
            var panel = document.querySelector(".custody-panel");
            if (!panel || !event.popup._adjustPan) { return; }
            var mapTop = this.getContainer().getBoundingClientRect().top;
            var below = panel.getBoundingClientRect().bottom - mapTop + 8;
            event.popup.options.autoPanPaddingTopLeft = L.point(10, below);
            event.popup._adjustPan();
        });
    });

    /* The legend starts folded on a narrow screen, so the map stays visible. */
    function foldOnPhone() {
        if (!window.matchMedia || !window.matchMedia("(max-width: 640px)").matches) { return; }
        var folds = document.querySelectorAll("details.custody-fold");
        for (var i = 0; i < folds.length; i++) { folds[i].removeAttribute("open"); }
    }
    L.custodyFoldOnPhone = foldOnPhone;  // the map's fit calls it first, to measure the panel
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", foldOnPhone);
    } else {
        foldOnPhone();
    }
})();
