// Runs in the report page: draws each chart of the inlined model with uPlot, shades findings and phases,
// and opens a finding's evidence on click. Exposes the uPlot instances as window.stormcheckCharts so a
// test (or a curious reader in devtools) can read what was drawn.
(function () {
  'use strict';
  var model = JSON.parse(document.getElementById('report-data').textContent);
  var COLOURS = ['#1f5f8b', '#b3261e', '#8a5300', '#1e6b2e', '#5b2a86', '#4b4b4b'];
  var TONE_FILL = { error: 'rgba(179,38,30,0.75)', warning: 'rgba(138,83,0,0.75)', info: 'rgba(31,95,139,0.6)', phase: 'rgba(75,75,75,0.10)' };
  var charts = [];
  // Idle stretches cut short on the axis: a point's true time is its x plus what the breaks before it hid.
  var BREAKS = model.breaks || [];
  function trueX(v) {
    var t = v;
    BREAKS.forEach(function (b) { if (b.x <= v) t += b.hiddenSeconds; });
    return t;
  }
  var xMin = Infinity;
  var xMax = -Infinity;
  model.columns.forEach(function (column) {
    column.charts.forEach(function (chart) {
      if (chart.x.length === 0) return;
      xMin = Math.min(xMin, chart.x[0]);
      xMax = Math.max(xMax, chart.x[chart.x.length - 1] + chart.bucketSeconds);
      chart.ranges.forEach(function (r) {
        xMin = Math.min(xMin, r.from);
        xMax = Math.max(xMax, r.to);
      });
    });
  });

  // Phases shade the whole height; findings are bars stacked along the top, so many overlapping
  // findings stay readable and the lines under them stay visible.
  var BAR = 6;
  function shadeRanges(chart) {
    return function (u) {
      var ctx = u.ctx;
      var bar = BAR * devicePixelRatio;
      var row = 0;
      ctx.save();
      chart.ranges.forEach(function (r) {
        var left = u.valToPos(r.from, 'x', true);
        var right = Math.max(u.valToPos(r.to, 'x', true), left + 3 * devicePixelRatio);
        ctx.fillStyle = TONE_FILL[r.tone];
        if (r.tone === 'phase') ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
        else ctx.fillRect(left, u.bbox.top + row++ * (bar + devicePixelRatio), right - left, bar);
      });
      ctx.strokeStyle = 'rgba(75,75,75,0.8)';
      ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
      BREAKS.forEach(function (b) {
        var at = u.valToPos(b.x, 'x', true);
        ctx.beginPath();
        ctx.moveTo(at, u.bbox.top);
        ctx.lineTo(at, u.bbox.top + u.bbox.height);
        ctx.stroke();
      });
      ctx.restore();
    };
  }

  function showEvidence(chartIndex, rangeIndex) {
    var chart = flatCharts[chartIndex];
    var range = chart.ranges[rangeIndex];
    var box = document.getElementById('evidence');
    box.textContent = '';
    var title = document.createElement('p');
    var strong = document.createElement('strong');
    strong.textContent = range.label;
    title.appendChild(strong);
    box.appendChild(title);
    var detail = document.createElement('p');
    detail.textContent = range.detail;
    box.appendChild(detail);
    range.evidence.forEach(function (e) {
      var ref = document.createElement('code');
      ref.className = 'evidence-ref';
      ref.textContent = e.ref;
      var text = document.createElement('pre');
      text.className = 'evidence-text';
      text.textContent = e.text === null ? '(line text not available)' : e.text;
      box.appendChild(ref);
      box.appendChild(text);
    });
    var close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Close';
    close.addEventListener('click', function () {
      box.hidden = true;
    });
    box.appendChild(close);
    box.hidden = false;
    document.querySelectorAll('button.range').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.chart === String(chartIndex) && b.dataset.range === String(rangeIndex)));
    });
  }

  function axisValues(u, splits) {
    return splits.map(function (v) { return model.axis === 'order' ? '#' + Math.round(v) : v + ' s'; });
  }

  // With breaks the axis is not linear in time, so each tick is labelled with its true UTC time.
  function trueTimeValues(u, splits, axisIndex, space, increment) {
    return splits.map(function (v) {
      // Month and day too: the stretches either side of a break may be days apart.
      var iso = new Date(trueX(v) * 1000).toISOString().replace('T', ' ');
      return increment >= 60 ? iso.slice(5, 16) : iso.slice(5, 19);
    });
  }

  var flatCharts = [];
  model.columns.forEach(function (column) {
    column.charts.forEach(function (chart) {
      flatCharts.push(chart);
    });
  });
  var plots = document.querySelectorAll('.plot');
  flatCharts.forEach(function (chart, index) {
    var el = plots[index];
    // On the order axis a bucket is a count of events, not of seconds: rates are per bucket there.
    var per = model.axis === 'order' ? 1 : chart.bucketSeconds;
    var data = [chart.x].concat(
      chart.series.map(function (s) {
        return s.kind === 'rate'
          ? s.values.map(function (v) { return v === null ? null : v / per; })
          : s.values;
      }),
    );
    var series = [{ label: model.axis === 'order' ? 'event' : 'time' }].concat(
      chart.series.map(function (s, i) {
        return {
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: s.kind === 'level' ? 2 : 1.5,
          dash: s.kind === 'level' ? [6, 3] : undefined,
          spanGaps: s.kind === 'level',
          scale: s.kind === 'level' ? 'level' : 'y',
          paths: s.kind === 'level' ? uPlot.paths.stepped({ align: 1 }) : undefined,
          points: { show: chart.x.length < 30 },
        };
      }),
    );
    var xAxis = { scale: 'x' };
    if (model.axis !== 'clock') xAxis.values = axisValues;
    else if (BREAKS.length > 0) {
      xAxis.values = trueTimeValues;
      xAxis.space = 120;
    }
    var opts = {
      // Log times are shown in UTC, as the per-minute tables and the text reporter do, whatever the reader's zone.
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); },
      width: Math.max(320, el.clientWidth || 640),
      height: 240,
      series: series,
      scales: {
        x: { time: model.axis === 'clock', range: xMin <= xMax ? function () { return [xMin, xMax === xMin ? xMin + 1 : xMax]; } : undefined },
        y: { range: function (u, lo, hi) { return [0, Math.max(1, hi)]; } },
        level: { range: function (u, lo, hi) { return [0, Math.max(1, hi)]; } },
      },
      axes: [xAxis, { scale: 'y', label: model.axis === 'order' ? 'per bucket' : 'per second' }, { scale: 'level', side: 1, label: 'open', grid: { show: false } }],
      cursor: { sync: { key: 'stormcheck' } },
      legend: { live: false },
      hooks: { drawClear: [shadeRanges(chart)] },
    };
    var plot = new uPlot(opts, data, el);
    plot.over.addEventListener('click', function (e) {
      var x = plot.posToVal(e.offsetX, 'x');
      for (var i = 0; i < chart.ranges.length; i++) {
        var r = chart.ranges[i];
        var slack = chart.bucketSeconds;
        if (x >= r.from - slack && x <= r.to + slack && r.evidence.length > 0) return showEvidence(index, i);
      }
    });
    charts.push(plot);
  });
  document.querySelectorAll('button.range').forEach(function (b) {
    b.addEventListener('click', function () {
      showEvidence(Number(b.dataset.chart), Number(b.dataset.range));
    });
  });
  window.stormcheckCharts = charts;
})();
