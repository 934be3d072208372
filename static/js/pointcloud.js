/*
 * L.PointCloud: tens of thousands to a million points on one canvas, with hover and click details.
 * Part of the tourist-city facilities project (MIT). No dependency but Leaflet 1.9.
 *
 * Data come packed (see maps/pointcloud.py): coordinates as int32 micro-degree offsets, a class index per
 * point (its colour), and per-field dictionary-encoded text. Text is always set with textContent, never
 * as HTML. When more points are in view than `maxPoints`, the layer draws a density grid instead.
 */
(function () {
  "use strict";

  function b64ToBytes(b64) {
    var bin = atob(b64), n = bin.length, out = new Uint8Array(n);
    for (var i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function int32s(b64) { var b = b64ToBytes(b64); return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4); }
  function uint32s(b64) { var b = b64ToBytes(b64); return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4); }

  L.PointCloud = L.Layer.extend({
    options: { radius: 2.5, maxPoints: 150000, cell: 6, pane: "overlayPane", title: "" },

    initialize: function (data, options) {
      L.setOptions(this, options);
      var xs = int32s(data.x), ys = int32s(data.y), n = xs.length;
      this._n = n;
      this._lon = new Float64Array(n);
      this._lat = new Float64Array(n);
      this._mx = new Float64Array(n);
      this._my = new Float64Array(n);
      for (var i = 0; i < n; i++) {
        var lon = data.lon0 + xs[i] * 1e-6, lat = data.lat0 + ys[i] * 1e-6;
        this._lon[i] = lon; this._lat[i] = lat;
        var s = Math.sin(lat * Math.PI / 180);
        s = Math.max(Math.min(s, 0.9999), -0.9999);
        this._mx[i] = (lon + 180) / 360;                                  // Web Mercator, 0..1
        this._my[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
      }
      this._cls = b64ToBytes(data.cls);
      this._colors = data.colors;           // class -> colour
      this._hollow = data.hollow || [];     // class -> drawn as a ring
      this._labels = data.labels;           // class -> label (legend)
      this._fields = data.fields;           // [{name, label, values, index(b64 uint32)}]
      for (var f = 0; f < this._fields.length; f++) {
        var fld = this._fields[f];
        if (fld.number) fld.num = uint32s(fld.number); else fld.idx = uint32s(fld.index);
      }
    },

    onAdd: function (map) {
      this._map = map;
      var c = this._canvas = L.DomUtil.create("canvas", "leaflet-pointcloud leaflet-zoom-hide");
      c.style.pointerEvents = "none";
      this.getPane().appendChild(c);
      this._tip = L.DomUtil.create("div", "leaflet-pointcloud-tip", map.getContainer());
      this._tip.style.cssText = "position:absolute;z-index:1000;pointer-events:none;display:none;background:#fff;" +
        "border:1px solid #888;border-radius:3px;padding:2px 5px;font:12px sans-serif;white-space:pre";
      map.on("moveend zoomend resize viewreset", this._redraw, this);
      map.on("mousemove", this._hover, this);
      map.on("click", this._click, this);
      map.on("mouseout", this._hideTip, this);
      this._redraw();
    },

    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      L.DomUtil.remove(this._tip);
      map.off("moveend zoomend resize viewreset", this._redraw, this);
      map.off("mousemove", this._hover, this);
      map.off("click", this._click, this);
      map.off("mouseout", this._hideTip, this);
    },

    count: function () { return this._n; },
    drawnCount: function () { return this._drawn || 0; },
    // mask: one byte a point, 0 = not drawn (maps/filtering.py); null draws every point
    setMask: function (mask, kept) {
      this._mask = mask && mask.length === this._n ? mask : null;
      this._kept = this._mask ? kept : this._n;
      if (this._map) this._redraw();
    },
    keptCount: function () { return this._kept === undefined ? this._n : this._kept; },
    mode: function () { return this._mode; },

    _redraw: function () {
      var map = this._map, size = map.getSize(), c = this._canvas, ratio = window.devicePixelRatio || 1;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(c, topLeft);
      c.width = size.x * ratio; c.height = size.y * ratio;
      c.style.width = size.x + "px"; c.style.height = size.y + "px";
      var ctx = c.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      var scale = 256 * Math.pow(2, map.getZoom());
      var origin = map.getPixelOrigin(), ox = origin.x + topLeft.x, oy = origin.y + topLeft.y;
      var n = this._n, sx = this._sx = new Float32Array(n), sy = this._sy = new Float32Array(n);
      var inView = 0, w = size.x, h = size.y, mask = this._mask;
      for (var i = 0; i < n; i++) {
        if (mask && !mask[i]) { sx[i] = sy[i] = -1e9; continue; }  // filtered out: far off every screen
        var x = this._mx[i] * scale - ox, y = this._my[i] * scale - oy;
        sx[i] = x; sy[i] = y;
        if (x >= -5 && y >= -5 && x <= w + 5 && y <= h + 5) inView++;
      }
      this._inView = inView;
      if (inView > this.options.maxPoints) this._drawDensity(ctx, w, h);
      else this._drawPoints(ctx, w, h);
    },

    _drawPoints: function (ctx, w, h) {
      // smaller dots when zoomed out, so a street of lamps stays a line of dots, not a band
      var r = Math.max(1, this.options.radius * Math.min(1, Math.pow(2, (this._map.getZoom() - 16) / 2)));
      this._r = r;
      var n = this._n, sx = this._sx, sy = this._sy, cls = this._cls;
      var k = this._colors.length, drawn = 0;
      var cell = 16, gw = Math.ceil(w / cell) + 1, gh = Math.ceil(h / cell) + 1;
      var heads = new Int32Array(gw * gh).fill(-1), next = new Int32Array(n);
      for (var c = 0; c < k; c++) {
        ctx.beginPath();
        for (var i = 0; i < n; i++) {
          if (cls[i] !== c) continue;
          var x = sx[i], y = sy[i];
          if (x < -r || y < -r || x > w + r || y > h + r) continue;
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 2 * Math.PI);
          drawn++;
          var gi = Math.floor(Math.max(0, x) / cell), gj = Math.floor(Math.max(0, y) / cell), g = gj * gw + gi;
          next[i] = heads[g]; heads[g] = i;
        }
        if (this._hollow[c]) { ctx.strokeStyle = this._colors[c]; ctx.lineWidth = 1; ctx.stroke(); }
        else { ctx.fillStyle = this._colors[c]; ctx.fill(); ctx.strokeStyle = "rgba(0,0,0,0.35)"; ctx.lineWidth = 0.5; ctx.stroke(); }
      }
      this._grid = { heads: heads, next: next, cell: cell, gw: gw, gh: gh };
      this._drawn = drawn;
      this._mode = "points";
    },

    _drawDensity: function (ctx, w, h) {
      var cell = this.options.cell, gw = Math.ceil(w / cell), gh = Math.ceil(h / cell);
      var counts = new Uint32Array(gw * gh), n = this._n, sx = this._sx, sy = this._sy, max = 0;
      for (var i = 0; i < n; i++) {
        var x = sx[i], y = sy[i];
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        var g = Math.floor(y / cell) * gw + Math.floor(x / cell);
        if (++counts[g] > max) max = counts[g];
      }
      var base = this._colors[0] || "#f1c40f";
      ctx.fillStyle = base;
      for (var g2 = 0; g2 < counts.length; g2++) {
        if (!counts[g2]) continue;
        ctx.globalAlpha = 0.25 + 0.75 * Math.log(1 + counts[g2]) / Math.log(1 + max);
        ctx.fillRect((g2 % gw) * cell, Math.floor(g2 / gw) * cell, cell - 1, cell - 1);
      }
      ctx.globalAlpha = 1;
      this._grid = null;
      this._drawn = this._inView;
      this._mode = "density";
    },

    _nearest: function (p) {
      var grid = this._grid;
      if (!grid) return -1;
      var r = (this._r || this.options.radius) + 4, best = -1, bestD = r * r;
      var gi = Math.floor(p.x / grid.cell), gj = Math.floor(p.y / grid.cell);
      for (var dj = -1; dj <= 1; dj++) for (var di = -1; di <= 1; di++) {
        var a = gi + di, b = gj + dj;
        if (a < 0 || b < 0 || a >= grid.gw || b >= grid.gh) continue;
        for (var i = grid.heads[b * grid.gw + a]; i !== -1; i = grid.next[i]) {
          var dx = this._sx[i] - p.x, dy = this._sy[i] - p.y, d = dx * dx + dy * dy;
          if (d <= bestD) { bestD = d; best = i; }
        }
      }
      return best;
    },

    describe: function (i) {
      var lines = [this.options.title];
      if (this._labels && this._labels[this._cls[i]]) lines.push(this._labels[this._cls[i]]);
      for (var f = 0; f < this._fields.length; f++) {
        var fld = this._fields[f];
        var v = fld.num ? fld.prefix + String(fld.num[i]).padStart(fld.width, "0") : fld.values[fld.idx[i]];
        if (v !== null && v !== "") lines.push(fld.label + ": " + v);
      }
      return lines.join("\n");
    },

    _hover: function (e) {
      var i = this._nearest(e.containerPoint);
      if (i < 0) { this._hideTip(); return; }
      this._tip.textContent = this.describe(i);
      this._tip.style.left = (e.containerPoint.x + 12) + "px";
      this._tip.style.top = (e.containerPoint.y + 12) + "px";
      this._tip.style.display = "block";
    },

    _hideTip: function () { if (this._tip) this._tip.style.display = "none"; },

    _click: function (e) {
      var i = this._nearest(e.containerPoint);
      if (i < 0) return;
      var pre = document.createElement("div");
      pre.style.whiteSpace = "pre";
      pre.textContent = this.describe(i);
      L.popup().setLatLng([this._lat[i], this._lon[i]]).setContent(pre).openOn(this._map);
    }
  });

  L.pointCloud = function (data, options) { return new L.PointCloud(data, options); };
})();
