// The ranking chart: one horizontal bar chart of scores per peer group, from the page's JSON.
// A canvas draws with the fonts it is told, not the page's: it gets the page's stack, and waits until the
// page's fonts are in (the bundled Noto Sans SC, on a browser with no Chinese font), or its labels are boxes.
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var family = getComputedStyle(document.body).fontFamily;
  void document.body.offsetHeight;   // lay the page out now: a web font its text needs starts loading here
  var fonts = document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
  fonts.then(function () { document.querySelectorAll(".chart[data-group]").forEach(draw); });

  function draw(el) {
    var g = data[el.dataset.group];
    if (!g || !g.units.length) { el.remove(); return; }
    el.style.height = Math.max(160, 28 * g.units.length + 60) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: family },
      grid: { left: 8, right: 40, top: 10, bottom: 20, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: "得分" },
      yAxis: { type: "category", inverse: true, data: g.units },
      series: [{ type: "bar", data: g.scores, label: { show: true, position: "right" },
                 itemStyle: { color: "#c0392b" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.fonts = document.fonts ? document.fonts.status : "";   // what the labels were drawn with
    el.dataset.ready = "1";
  }
})();
