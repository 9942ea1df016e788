/*
 * Draws the report's plotly figures so they read at any column width, from a 360 px phone to a wide
 * screen (issue 22). Each figure's HTML (src/figures/plotly-html.ts) calls fmnistFigures.draw(el, fig)
 * with its design layout; this script gives it the column's width and a height that suits it, and below
 * COMPACT px a compact layout: smaller type, wrapped titles, panels stacked, legends above the plot,
 * fewer ticks, every category labelled, image mosaics re-tiled. After drawing it measures what plotly
 * drew (title, legend, margins, plot area) and corrects the top margin and the height once or twice,
 * so no plot area collapses and no legend runs into a title. It redraws when the column changes width.
 *
 * A classic script (no ES module: browsers block module scripts under file://), loaded once per page by
 * report/report.lua. The layout rules are pure functions, exported for the unit tests under Node.
 */
(function (root, factory) {
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  if (root) root.fmnistFigures = api;
})(typeof window !== 'undefined' ? window : undefined, function () {
  'use strict';

  /** Below this column width (px) figures use the compact layout. */
  var COMPACT = 560;
  /** The smallest plot area height (px) a chart gets at any width; compact charts aim higher (plotTarget). */
  var MIN_PLOT = 180;
  var COMPACT_FONT = 11;
  var COMPACT_TICK_FONT = 10;
  var COMPACT_TITLE_FONT = 14;

  function clone(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  /** What kind of figure: its layout rules differ. */
  function kindOf(fig) {
    var types = (fig.data || []).map(function (t) { return t.type || 'scatter'; });
    var layout = fig.layout || {};
    if (types.indexOf('table') >= 0) return 'table';
    if (types.indexOf('pie') >= 0) return 'pie';
    if (types.indexOf('scatter3d') >= 0 || layout.scene) return '3d';
    if (layout.meta && layout.meta.mosaic) return 'mosaic';
    if (types.indexOf('heatmap') >= 0) return 'matrix';
    return 'chart';
  }

  /** The layout keys of the cartesian axes (xaxis, yaxis2, ...). */
  function axisKeys(layout) {
    return Object.keys(layout).filter(function (k) { return /^[xy]axis\d*$/.test(k); });
  }

  /** Every axis a trace uses gets a layout entry, so the rules below reach it. */
  function ensureAxes(data, layout) {
    data.forEach(function (t) {
      if (t.type === 'pie' || t.type === 'table' || t.type === 'scatter3d') return;
      ['x', 'y'].forEach(function (letter) {
        var ref = t[letter + 'axis'] || letter;
        var key = letter + 'axis' + ref.slice(1);
        if (!layout[key]) layout[key] = {};
      });
    });
  }

  /** The categories shown on an axis (string values of the traces on it), in first-seen order. */
  function axisCategories(data, key) {
    var letter = key.charAt(0);
    var ref = letter + key.slice(5);
    var seen = [];
    data.forEach(function (t) {
      if ((t[letter + 'axis'] || letter) !== ref || !Array.isArray(t[letter])) return;
      t[letter].forEach(function (v) {
        if (typeof v === 'string' && seen.indexOf(v) < 0) seen.push(v);
      });
    });
    return seen;
  }

  /** Words wrapped into lines of at most `max` characters, joined with <br> (existing breaks kept). */
  function wrapText(text, max) {
    return String(text)
      .split(/<br\s*\/?>/i)
      .map(function (part) {
        var lines = [];
        var line = '';
        part.split(' ').forEach(function (word) {
          if (line && (line + ' ' + word).length > max) {
            lines.push(line);
            line = word;
          } else line = line ? line + ' ' + word : word;
        });
        if (line) lines.push(line);
        return lines.join('<br>');
      })
      .join('<br>');
  }

  function longestLine(text) {
    return String(text)
      .replace(/<(?!br)[^>]+>/gi, '')
      .split(/<br\s*\/?>/i)
      .reduce(function (m, l) { return Math.max(m, l.length); }, 0);
  }

  /** The next tick step in 1, 2, 5, 10, 20, 50, ... after `step`. */
  function nextStep(step) {
    var p = Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
    var m = step / p;
    return m < 1.5 ? 2 * p : m < 3.5 ? 5 * p : 10 * p;
  }

  /** A titled mosaic of images re-tiled into `columns` columns: its z matrix and tile titles move. */
  function retileMosaic(data, layout, columns) {
    var m = layout.meta.mosaic;
    var tile = m.tile;
    var gap = m.gap;
    var step = tile + gap;
    var rows = Math.ceil(m.count / columns);
    var z = data[0].z;
    var height = rows * tile + (rows - 1) * gap;
    var width = columns * tile + (columns - 1) * gap;
    var out = [];
    for (var r = 0; r < height; r++) {
      var row = new Array(width);
      for (var c = 0; c < width; c++) row[c] = null;
      out.push(row);
    }
    for (var t = 0; t < m.count; t++) {
      var fromTop = Math.floor(t / m.columns) * step;
      var fromLeft = (t % m.columns) * step;
      var toTop = Math.floor(t / columns) * step;
      var toLeft = (t % columns) * step;
      for (var i = 0; i < tile; i++) for (var j = 0; j < tile; j++) out[toTop + i][toLeft + j] = z[fromTop + i][fromLeft + j];
    }
    var trace = Object.assign({}, data[0], { z: out });
    var annotations = (layout.annotations || []).map(function (a, k) {
      if (k >= m.count) return a;
      return Object.assign({}, a, { x: (k % columns) * step + (tile - 1) / 2, y: Math.floor(k / columns) * step - 1 });
    });
    return { data: [trace].concat(data.slice(1)), annotations: annotations, columns: columns, rows: rows, pixelsWide: width, pixelsHigh: height };
  }

  /**
   * The layout (and traces, when they change) for a column `width` px wide. `design` is the figure's
   * design size ({ width, height }). Pure. Returns { data, layout, compact, target }, where target is
   * the plot-area height the measuring pass aims for (px per panel), or 0 to keep the design's.
   */
  function adapt(fig, width, design) {
    var kind = kindOf(fig);
    var data = (fig.data || []).slice();
    var layout = clone(fig.layout) || {};
    var compact = width < COMPACT;
    var scale = Math.min(1, width / design.width);
    // The title pinned to the top edge, so moving the top margin (see correction) never moves it.
    if (layout.title && (layout.title.text || typeof layout.title === 'string')) {
      var t0 = typeof layout.title === 'string' ? { text: layout.title } : layout.title;
      layout.title = Object.assign({}, t0, { y: 1, yref: 'container', yanchor: 'top', pad: Object.assign({ t: 12 }, t0.pad) });
    }
    layout.width = width;
    layout.autosize = false;
    layout.height = kind === 'table' ? design.height : Math.round(design.height * scale);
    if (kind === 'table' || kind === '3d') return { data: data, layout: layout, compact: compact, target: 0, kind: kind };
    ensureAxes(data, layout);
    var keys = axisKeys(layout);
    if (!compact) {
      // Wide enough for the design; only every category labelled (plotly thins labels that would touch).
      keys.forEach(function (k) {
        var ax = layout[k];
        if (ax.tickmode !== 'array' && axisCategories(data, k).length > 0) ax.dtick = 1;
      });
      if (kind === 'mosaic') {
        var mg = layout.margin || {};
        data = fitMosaic(data, layout, width - (mg.l == null ? 80 : mg.l) - (mg.r == null ? 80 : mg.r), 12);
        layout.height = mosaicHeight(data, layout, width);
      }
      // A plot area at least half as high as it is wide (most designs are; scaled down, some were a third).
      return { data: data, layout: layout, compact: false, target: kind === 'mosaic' ? 0 : MIN_PLOT, ratio: kind === 'matrix' ? 0.9 : 0.5, kind: kind };
    }

    var font = Object.assign({}, layout.font, { size: COMPACT_FONT });
    layout.font = font;
    var title = layout.title && typeof layout.title === 'object' ? layout.title : { text: layout.title };
    if (title.text) {
      var maxChars = Math.max(12, Math.floor((width - 16) / (COMPACT_TITLE_FONT * 0.56)));
      var text = wrapText(title.text, maxChars);
      // plotly anchors a title's first line and lets the others run upwards: pad it down by their height.
      var extraLines = text.split('<br>').length - 1;
      layout.title = Object.assign({}, title, {
        text: text,
        font: Object.assign({}, title.font, { size: COMPACT_TITLE_FONT }),
        x: 0.5,
        xanchor: 'center',
        xref: 'container',
        y: 1,
        yanchor: 'top',
        yref: 'container',
        pad: { t: 8 + Math.round(extraLines * COMPACT_TITLE_FONT * 1.3) },
        automargin: false,
      });
    }
    var margin = layout.margin || {};
    layout.margin = { l: Math.min(margin.l == null ? 80 : margin.l, 10), r: Math.min(margin.r == null ? 80 : margin.r, 10), t: margin.t == null ? 60 : Math.min(margin.t, 60), b: 10, pad: 0 };

    // Panels side by side become panels one above the other.
    var grid = layout.grid;
    var stacked = 1;
    if (grid && grid.columns > 1) {
      // Row by row, left to right: the order plotly fills a grid in, so each axis keeps its panel.
      stacked = grid.columns * (grid.rows || 1);
      layout.grid = Object.assign({}, grid, { rows: stacked, columns: 1, roworder: 'top to bottom', ygap: 0.35 });
    }

    var legendItems = data.filter(function (t) { return t.showlegend !== false && t.name && t.type !== 'heatmap'; });
    if (layout.showlegend !== false && legendItems.length > 1) {
      layout.legend = Object.assign({}, layout.legend, { orientation: 'h', x: 0, xanchor: 'left', y: 1, yanchor: 'bottom', yref: 'paper', font: { size: COMPACT_FONT } });
    }

    var plotWidth = width - 90;
    var rowsNeeded = 0; // px a vertical category axis needs for its labels
    keys.forEach(function (k) {
      var ax = layout[k];
      var isX = k.charAt(0) === 'x';
      ax.automargin = true;
      ax.tickfont = Object.assign({}, ax.tickfont, { size: COMPACT_TICK_FONT });
      if (ax.title && ax.title.text) ax.title = Object.assign({}, ax.title, { font: Object.assign({}, ax.title.font, { size: COMPACT_FONT }), standoff: 6 });
      var categories = ax.tickmode === 'array' ? ax.tickvals || [] : axisCategories(data, k);
      if (ax.showticklabels === false) return;
      if (categories.length > 0 && typeof categories[0] === 'string') {
        if (ax.tickmode !== 'array') ax.dtick = 1;
        if (isX) {
          var longest = categories.reduce(function (m, c) { return Math.max(m, longestLine(c)); }, 0);
          if ((plotWidth / categories.length) < longest * COMPACT_TICK_FONT * 0.6) ax.tickangle = -90;
        } else {
          // Long names on a vertical axis wrap instead of taking the plot's width.
          var wrapped = categories.map(function (c) { return wrapText(c, 18); });
          if (wrapped.some(function (w, i) { return w !== categories[i]; })) {
            ax.tickmode = 'array';
            ax.tickvals = ax.tickvals || categories;
            ax.ticktext = (ax.ticktext || categories).map(function (c) { return wrapText(c, 18); });
          }
          var lines = (ax.ticktext || categories).reduce(function (mx, c) { return Math.max(mx, String(c).split('<br>').length); }, 1);
          rowsNeeded = Math.max(rowsNeeded, categories.length * (lines * (COMPACT_TICK_FONT + 3) + 6));
        }
      } else if (typeof ax.dtick === 'number' && Array.isArray(ax.range)) {
        var span = Math.abs(ax.range[1] - ax.range[0]);
        var length = isX ? plotWidth : 200;
        var d = ax.dtick;
        while ((span / d) * 32 > length) d = nextStep(d);
        ax.dtick = d;
      } else if (ax.tickmode !== 'array' && ax.dtick === undefined) {
        ax.nticks = isX ? Math.max(3, Math.floor(plotWidth / 70)) : 6;
      }
    });
    var noteFont = kind === 'mosaic' ? COMPACT_TICK_FONT : COMPACT_FONT;
    (layout.annotations || []).forEach(function (a) {
      a.font = Object.assign({}, a.font, { size: Math.min((a.font && a.font.size) || noteFont, noteFont) });
    });

    var target = Math.max(MIN_PLOT + 20, Math.min(320, Math.round(plotWidth * 0.75)), rowsNeeded);
    // Axis titles longer than their axis wrap (a cut title lost its end at 390 px).
    keys.forEach(function (k) {
      var ax = layout[k];
      if (!ax.title || !ax.title.text) return;
      var room = k.charAt(0) === 'x' ? width - 30 : target;
      ax.title.text = wrapText(ax.title.text, Math.max(10, Math.floor(room / (COMPACT_FONT * 0.6))));
    });
    if (kind === 'matrix') {
      data = data.map(function (t) {
        if (t.type !== 'heatmap') return t;
        // Cell numbers as large as the cells allow (at most 9 px); none when they would not fit (the colour and the hover still tell).
        var columns = Array.isArray(t.z) && Array.isArray(t.z[0]) ? t.z[0].length : 1;
        var chars = (Array.isArray(t.text) ? [].concat.apply([], t.text) : []).reduce(function (mx, v) { return Math.max(mx, String(v).length); }, 1);
        var size = Math.min(9, Math.floor((width - 150) / columns - 2) / (chars * 0.6));
        var cells = size >= 6 ? { textfont: Object.assign({}, t.textfont, { size: Math.floor(size) }) } : { texttemplate: '' };
        return Object.assign({}, t, cells, { colorbar: Object.assign({}, t.colorbar, { thickness: 10, title: Object.assign({}, t.colorbar && t.colorbar.title, { font: { size: 10 } }) }) });
      });
      target = Math.max(MIN_PLOT + 20, width - 150);
    }
    if (kind === 'mosaic') {
      data = fitMosaic(data, layout, width - 20, COMPACT_TICK_FONT);
      target = 0; // the measuring pass sizes a mosaic by its pixels' aspect ratio
    }
    var pie = kind === 'pie';
    if (pie) layout.height = Math.round(width + 40);
    else if (kind === 'mosaic') layout.height = mosaicHeight(data, layout, width);
    else layout.height = (layout.margin.t || 0) + 90 + stacked * target + (stacked - 1) * 70;
    return { data: data, layout: layout, compact: true, target: pie ? 0 : target, kind: kind };
  }

  /**
   * A titled mosaic in as many columns as its tile titles fit side by side in `plotWidth` px at
   * `fontSize` (fewer than designed, in a narrow column). Updates the layout's annotations and meta;
   * returns the traces.
   */
  function fitMosaic(data, layout, plotWidth, fontSize) {
    var m = layout.meta.mosaic;
    if (!m.titled) return data;
    var titleChars = (layout.annotations || []).reduce(function (mx, a) { return Math.max(mx, longestLine(a.text)); }, 0);
    var tileWidth = titleChars * fontSize * 0.58 + 8;
    var columns = Math.max(1, Math.min(m.columns, Math.floor(plotWidth / tileWidth)));
    if (columns >= m.columns) return data;
    var re = retileMosaic(data, layout, columns);
    layout.annotations = re.annotations;
    layout.meta = Object.assign({}, layout.meta, { mosaic: Object.assign({}, m, { columns: re.columns, rows: re.rows }) });
    return re.data;
  }

  /** The height at which a mosaic's square pixels fill the plot's width. */
  function mosaicHeight(data, layout, width) {
    var z = data[0].z;
    var m = layout.margin || {};
    var side = function (v, d) { return v == null ? d : v; };
    var plotWidth = width - side(m.l, 80) - side(m.r, 80);
    return Math.round(side(m.t, 100) + side(m.b, 80) + (plotWidth * z.length) / z[0].length);
  }

  // ---- in the browser ------------------------------------------------------------------------

  function designOf(el) {
    return { width: Number(el.getAttribute('data-width')) || 800, height: Number(el.getAttribute('data-height')) || 500 };
  }

  /** The plot areas' lengths and what sits above them, as drawn. */
  function measure(el) {
    var full = el._fullLayout;
    if (!full || !full._size) return null;
    var ys = [];
    var xs = [];
    Object.keys(full).forEach(function (k) {
      if (/^yaxis\d*$/.test(k) && full[k]._length) ys.push(full[k]);
      if (/^xaxis\d*$/.test(k) && full[k]._length) xs.push(full[k]);
    });
    var svg = el.querySelector('svg.main-svg');
    var box = svg ? svg.getBoundingClientRect() : el.getBoundingClientRect();
    var plotTop = box.top + full._size.t;
    var title = el.querySelector('.gtitle');
    var titleBottom = title && title.textContent.trim() ? title.getBoundingClientRect().bottom - box.top : 0;
    // Legend and labels anchored to the plot's top edge but drawn above it.
    var above = 0;
    el.querySelectorAll('g.legend, .annotation').forEach(function (n) {
      var r = n.getBoundingClientRect();
      if (r.height > 0 && r.top < plotTop - 1) above = Math.max(above, plotTop - r.top);
    });
    return { size: full._size, ys: ys, xs: xs, titleBottom: titleBottom, above: above };
  }

  /** Top margin and height that give every panel its target height and keep the title clear of the legend. */
  function correction(el, adapted) {
    if (adapted.kind === 'table') {
      // A table whose cells wrap in a narrow column grows taller than its design: make room for its last row.
      var box = el.getBoundingClientRect();
      var bottom = 0;
      el.querySelectorAll('g.table text').forEach(function (t) {
        var r = t.getBoundingClientRect();
        if (r.height > 0) bottom = Math.max(bottom, r.bottom - box.top);
      });
      var full = el._fullLayout;
      var need = Math.ceil(bottom + 8 + (full && full._size ? full._size.b : 10));
      return need > adapted.layout.height + 2 ? { height: need } : null;
    }
    var m = measure(el);
    if (!m || !m.ys.length) return null;
    var layout = adapted.layout;
    var update = {};
    if (adapted.compact || m.titleBottom > 0) {
      var needTop = Math.ceil(m.titleBottom + (m.titleBottom > 0 ? 6 : 0) + m.above + 4);
      if (needTop > m.size.t + 1 || (adapted.compact && needTop < m.size.t - 6)) update['margin.t'] = needTop;
    }
    var top = update['margin.t'] !== undefined ? update['margin.t'] : m.size.t;
    var plotH = layout.height - m.size.t - m.size.b;
    var newPlotH = plotH;
    if (adapted.kind === 'mosaic') {
      // Square pixels: the plot area as high as the mosaic's rows need at the plot's width.
      var z = adapted.data[0].z;
      newPlotH = Math.round((m.size.w * z.length) / z[0].length);
    } else if (adapted.target > 0) {
      var shortest = Math.min.apply(null, m.ys.map(function (a) { return a._length; }));
      var narrowest = Math.min.apply(null, m.xs.map(function (a) { return a._length; }));
      var target = adapted.ratio ? Math.max(adapted.target, Math.min(360, Math.round(adapted.ratio * narrowest))) : adapted.target;
      if (shortest < target - 2 || (adapted.compact && shortest > adapted.target + 40)) newPlotH = Math.round((plotH * target) / shortest);
    }
    var height = top + m.size.b + newPlotH;
    if (Math.abs(height - layout.height) > 2) update.height = height;
    return Object.keys(update).length ? update : null;
  }

  /** The width the figure may take: its column's (a figure scaled as a whole has a fixed width of its own). */
  function columnWidth(el) {
    return Math.floor(el._fmnistScaled ? el.parentElement.clientWidth : el.clientWidth || el.parentElement.clientWidth);
  }

  /**
   * A figure marked `meta.scaleWhole` (image grids whose labels are placed by hand) is drawn at its
   * design size and, in a narrower column, zoomed out as a whole, as a picture would be.
   */
  function renderScaled(el, fig, width) {
    var design = designOf(el);
    var s = Math.min(1, width / design.width);
    var layout = Object.assign(clone(fig.layout) || {}, { width: design.width, height: design.height, autosize: false });
    el._fmnistScaled = true;
    el.style.aspectRatio = 'auto';
    el.style.width = design.width + 'px';
    el.style.height = design.height + 'px';
    el.style.zoom = String(s);
    var Plotly = window.Plotly;
    var drawFn = el.classList.contains('js-plotly-plot') ? Plotly.react : Plotly.newPlot;
    return drawFn(el, fig.data, layout, Object.assign({}, fig.config, { responsive: false }));
  }

  function render(el, fig) {
    var width = columnWidth(el);
    if (!width) return Promise.resolve();
    el._fmnistWidth = width;
    if (fig.layout && fig.layout.meta && fig.layout.meta.scaleWhole) return renderScaled(el, fig, width);
    var adapted = adapt(fig, width, designOf(el));
    el.style.aspectRatio = 'auto';
    el.style.height = adapted.layout.height + 'px';
    var config = Object.assign({}, fig.config, { responsive: false });
    var Plotly = window.Plotly;
    // plotly writes computed ranges into the layout it draws; each pass starts from this untouched copy
    // (a relayout kept a mosaic's stale, constrained ranges and lost its reversed y axis).
    var pristine = JSON.stringify(adapted.layout);
    var state = {};
    var pass = function (n) {
      if (n >= 3) return Promise.resolve();
      var update = correction(el, adapted);
      if (!update) return Promise.resolve();
      if (update['margin.t'] !== undefined) state.t = update['margin.t'];
      if (update.height !== undefined) state.height = update.height;
      var layout = JSON.parse(pristine);
      if (state.t !== undefined) layout.margin = Object.assign({}, layout.margin, { t: state.t });
      if (state.height !== undefined) layout.height = state.height;
      adapted.layout = layout;
      el.style.height = layout.height + 'px';
      return Plotly.react(el, adapted.data, layout, config).then(function () { return pass(n + 1); });
    };
    var draw = el.classList.contains('js-plotly-plot') ? Plotly.react : Plotly.newPlot;
    return draw(el, adapted.data, JSON.parse(pristine), config).then(function () { return pass(0); });
  }

  /** Draws `fig` into `el` at the column's width, and again whenever that width changes. */
  function draw(el, fig) {
    var busy = Promise.resolve();
    var queued = false;
    var redraw = function () {
      if (queued) return;
      queued = true;
      busy = busy.then(function () {
        queued = false;
        var width = columnWidth(el);
        if (width && Math.abs(width - (el._fmnistWidth || 0)) > 2) return render(el, fig);
      });
    };
    busy = render(el, fig);
    // A figure scaled as a whole has a fixed width: its column's changes are what matter.
    if (typeof ResizeObserver === 'function') new ResizeObserver(redraw).observe(el._fmnistScaled ? el.parentElement : el);
    else window.addEventListener('resize', redraw);
    return busy;
  }

  return { COMPACT: COMPACT, MIN_PLOT: MIN_PLOT, adapt: adapt, wrapText: wrapText, nextStep: nextStep, retileMosaic: retileMosaic, kindOf: kindOf, draw: draw };
});
