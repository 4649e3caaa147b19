// The ranking chart: one horizontal bar chart of scores per peer group, from the page's JSON.
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  document.querySelectorAll(".chart[data-group]").forEach(function (el) {
    var g = data[el.dataset.group];
    if (!g || !g.units.length) { el.remove(); return; }
    el.style.height = Math.max(160, 28 * g.units.length + 60) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 40, top: 10, bottom: 20, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: "得分" },
      yAxis: { type: "category", inverse: true, data: g.units },
      series: [{ type: "bar", data: g.scores, label: { show: true, position: "right" },
                 itemStyle: { color: "#c0392b" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "1";
  });
})();
