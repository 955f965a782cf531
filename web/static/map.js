/* The park map's pan, zoom and tap-for-details (web/templates/_map.html). No framework, no network.
 * The map is an outer SVG (scale bar, north arrow: fixed) holding an inner SVG whose viewBox moves.
 * Points keep about their screen size when zooming; the scale bar is recomputed for the zoom. */
(function () {
  "use strict";

  var MIN_ZOOM = 1, MAX_ZOOM = 40, STEP = 1.5, MIN_RADIUS_PX = 5;

  function nice(metres) {
    var power = Math.pow(10, Math.floor(Math.log10(metres))), best = power;
    [1, 2, 5].forEach(function (s) { if (s * power <= metres) { best = s * power; } });
    return best;
  }

  function label(metres) {
    return metres >= 1000 ? (metres / 1000) + " km" : metres + " m";
  }

  function init(fig) {
    if (fig.dataset.ready) { return; }
    fig.dataset.ready = "1";
    var outer = fig.querySelector("svg.map-svg"), view = outer.querySelector("svg.view");
    var W = outer.viewBox.baseVal.width, H = outer.viewBox.baseVal.height;
    var vb = [0, 0, W, H];
    var mpu = parseFloat(outer.getAttribute("data-mpu")) || 0;
    var circles = view.querySelectorAll("circle[data-r]");
    var texts = view.querySelectorAll("text[data-size]");
    var scaleBar = outer.querySelector(".scale"), north = outer.querySelector(".north");
    var bar = outer.querySelector(".scale rect"), barText = outer.querySelector(".scale text");
    var panel = fig.querySelector(".map-detail");

    function apply() {
      var k = W / vb[2];
      // SVG units per CSS pixel: on a phone the 1000-unit map is ~360 px wide, so marks and texts are drawn
      // larger in units to stay legible (points by the square root only: they would crowd each other).
      var shown = outer.getBoundingClientRect().width, u = Math.max(1, shown > 0 ? W / shown : 1);
      view.setAttribute("viewBox", vb.map(function (v) { return v.toFixed(2); }).join(" "));
      fig.dataset.zoom = k.toFixed(3);
      // Points grow a little when zooming in (not as much as the distances between them, so they part).
      // At least 5 CSS pixels of radius: something a finger can hit.
      var grow = Math.pow(k, 0.3) / k * Math.sqrt(u), least = MIN_RADIUS_PX * u / k;
      circles.forEach(function (c) {
        c.setAttribute("r", Math.max(parseFloat(c.getAttribute("data-r")) * grow, least).toFixed(2));
      });
      // (a style, not the attribute: the page's CSS gives these texts a size, which beats an attribute)
      texts.forEach(function (t) { t.style.fontSize = (parseFloat(t.getAttribute("data-size")) * u / k).toFixed(2) + "px"; });
      if (north) { north.setAttribute("transform", "translate(" + (W - 34 * u) + " " + (20 * u) + ") scale(" + u + ")"); }
      if (mpu > 0 && bar) {
        var perUnit = mpu / k, metres = nice(perUnit * W / 5);
        scaleBar.setAttribute("transform", "translate(" + (20 * u) + " " + (H - 24 * u) + ") scale(" + u + ")");
        bar.setAttribute("width", (metres / perUnit / u).toFixed(1));
        barText.textContent = label(metres);
      }
    }
    window.addEventListener("resize", apply);

    function clamp() {
      vb[2] = Math.min(W, Math.max(W / MAX_ZOOM, vb[2]));
      vb[3] = vb[2] * H / W;
      // Keep some of the map in view: the window's centre stays within the drawing.
      vb[0] = Math.min(W - vb[2] / 2, Math.max(-vb[2] / 2, vb[0]));
      vb[1] = Math.min(H - vb[3] / 2, Math.max(-vb[3] / 2, vb[1]));
    }

    function zoomAt(factor, cx, cy) {
      var k = W / vb[2], target = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k * factor));
      var w = W / target, h = w * H / W;
      vb = [cx - (cx - vb[0]) * w / vb[2], cy - (cy - vb[1]) * h / vb[3], w, h];
      clamp();
      apply();
    }

    function centre() { return [vb[0] + vb[2] / 2, vb[1] + vb[3] / 2]; }

    function pan(dxShare, dyShare) {
      vb[0] += vb[2] * dxShare;
      vb[1] += vb[3] * dyShare;
      clamp();
      apply();
    }

    function toView(clientX, clientY) {
      var box = outer.getBoundingClientRect();
      return [vb[0] + (clientX - box.left) / box.width * vb[2], vb[1] + (clientY - box.top) / box.height * vb[3]];
    }

    fig.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var c = centre(), how = button.getAttribute("data-zoom");
        if (how === "in") { zoomAt(STEP, c[0], c[1]); }
        else if (how === "out") { zoomAt(1 / STEP, c[0], c[1]); }
        else { vb = [0, 0, W, H]; apply(); }
      });
    });

    outer.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = toView(ev.clientX, ev.clientY);
      zoomAt(ev.deltaY < 0 ? 1.25 : 0.8, p[0], p[1]);
    }, { passive: false });

    // Dragging pans; a press that hardly moves is a tap (the point's click handler shows its details).
    var drag = null;
    outer.addEventListener("pointerdown", function (ev) {
      delete fig.dataset.dragged;
      drag = { x: ev.clientX, y: ev.clientY, vb: vb.slice(), moved: false, id: ev.pointerId };
    });
    outer.addEventListener("pointermove", function (ev) {
      if (!drag || drag.id !== ev.pointerId) { return; }
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) { return; }
      if (!drag.moved) { drag.moved = true; outer.setPointerCapture(ev.pointerId); }
      var box = outer.getBoundingClientRect();
      vb[0] = drag.vb[0] - dx / box.width * vb[2];
      vb[1] = drag.vb[1] - dy / box.height * vb[3];
      clamp();
      apply();
    });
    function endDrag(ev) {
      if (drag && drag.moved) { fig.dataset.dragged = "1"; }
      if (drag && outer.hasPointerCapture && outer.hasPointerCapture(ev.pointerId)) { outer.releasePointerCapture(ev.pointerId); }
      drag = null;
    }
    outer.addEventListener("pointerup", endDrag);
    outer.addEventListener("pointercancel", endDrag);

    outer.addEventListener("keydown", function (ev) {
      if (ev.target !== outer) { return; }
      var moves = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1] };
      var c = centre();
      if (moves[ev.key]) { pan(moves[ev.key][0], moves[ev.key][1]); }
      else if (ev.key === "+" || ev.key === "=") { zoomAt(STEP, c[0], c[1]); }
      else if (ev.key === "-" || ev.key === "_") { zoomAt(1 / STEP, c[0], c[1]); }
      else if (ev.key === "0") { vb = [0, 0, W, H]; apply(); }
      else { return; }
      ev.preventDefault();
    });

    function show(circle) {
      var source = document.getElementById(circle.getAttribute("data-detail"));
      if (!source || !panel) { return; }
      circles.forEach(function (c) { c.classList.remove("selected"); });
      circle.classList.add("selected");
      panel.replaceChildren.apply(panel, Array.prototype.map.call(source.childNodes, function (n) { return n.cloneNode(true); }));
    }
    circles.forEach(function (circle) {
      circle.addEventListener("click", function (ev) {
        if (fig.dataset.dragged) { delete fig.dataset.dragged; return; }
        ev.stopPropagation();
        show(circle);
      });
      circle.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); show(circle); }
      });
    });
    apply();
  }

  function start() { document.querySelectorAll("figure[data-map]").forEach(init); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
