/* The dashboard's charts, drawn with the vendored Apache ECharts from the data the page
   passed with json_script. The tables beside the charts carry the same numbers (for
   screen readers, printing, and browsers without JavaScript). */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") return;
  var dataNode = document.getElementById("dashboard-data");
  if (!dataNode) return;
  var data = JSON.parse(dataNode.textContent);
  var words = data.words;
  var numbers = function (values) {
    return values.map(function (v) { return v === null ? null : Number(v); });
  };
  var charts = [];
  var draw = function (id, option) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  };

  draw("chart-grades", {
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.grades,
               label: { formatter: "{b}\n{c}" } }]
  });

  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.trend.labels },
    yAxis: { type: "value", name: words.average, scale: true },
    series: [{ type: "line", name: words.average, data: numbers(data.trend.values),
               label: { show: true }, connectNulls: true }]
  });

  draw("chart-branches", {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { bottom: 60 },
    xAxis: {
      type: "category",
      // The member count rides on the label; it is a count, not a score, so no own bar.
      data: data.branches.names.map(function (name, i) {
        return name + "（" + data.branches.members[i] + words.people + "）";
      }),
      axisLabel: { interval: 0, rotate: data.branches.names.length > 6 ? 30 : 0 }
    },
    yAxis: [
      // Bars start at zero: a cut axis would exaggerate small differences.
      { type: "value", name: words.average, min: 0 },
      { type: "value", name: "%", max: 100 }
    ],
    series: [
      { type: "bar", name: words.average, data: numbers(data.branches.average),
        label: { show: data.branches.names.length <= 12, position: "top" } },
      { type: "line", name: words.excellent, yAxisIndex: 1,
        data: numbers(data.branches.excellent_pct) }
    ]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
