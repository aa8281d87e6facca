// Ops page: fetches /desk/api/ops (staff session cookie) and draws it with Chart.js.
"use strict";
(function () {
  const COLOURS = ["#0f766e", "#b45309", "#1d4ed8", "#b42318", "#7c3aed", "#475569"];
  const charts = {};
  const percent = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + " %");
  const hourLabel = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  function draw(id, config) {
    if (charts[id]) charts[id].destroy();
    config.options = { maintainAspectRatio: false, ...config.options };
    charts[id] = new window.Chart(document.getElementById(id), config);
  }

  function render(day) {
    document.getElementById("kpi-turns").textContent = day.turns;
    document.getElementById("kpi-conversations").textContent = day.conversations;
    document.getElementById("kpi-containment").textContent = percent(day.containment_rate);
    document.getElementById("kpi-fallback").textContent = percent(day.fallback_rate);
    document.getElementById("kpi-p95").textContent = day.p95_ms === null ? "–" : day.p95_ms + " ms";
    const labels = day.hours.map(hourLabel);
    const channels = Object.keys(day.turns_per_channel).sort();
    draw("chart-channels", {
      type: "line",
      data: { labels, datasets: channels.map((name, i) => ({
        label: name, data: day.turns_per_channel[name], borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length], tension: 0.2 })) },
      options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    draw("chart-intents", {
      type: "bar",
      data: { labels: day.top_intents.map((x) => x[0]),
              datasets: [{ label: "turns", data: day.top_intents.map((x) => x[1]),
                           backgroundColor: COLOURS[0] }] },
      options: { animation: false, indexAxis: "y", plugins: { legend: { display: false } } },
    });
    draw("chart-latency", {
      type: "line",
      data: { labels, datasets: [{ label: "p95 ms", data: day.p95_ms_per_hour,
                                   borderColor: COLOURS[1], backgroundColor: COLOURS[1], spanGaps: true }] },
      options: { animation: false, scales: { y: { beginAtZero: true } } },
    });
    const outcomes = Object.keys(day.outcomes).sort();
    draw("chart-outcomes", {
      type: "doughnut",
      data: { labels: outcomes, datasets: [{ data: outcomes.map((k) => day.outcomes[k]),
                                             backgroundColor: outcomes.map((_, i) => COLOURS[i % COLOURS.length]) }] },
      options: { animation: false },
    });
    document.body.dataset.loaded = "true";
  }

  async function refresh() {
    const error = document.getElementById("ops-error");
    try {
      const response = await fetch("/desk/api/ops", { credentials: "same-origin" });
      if (response.status === 401) { window.location.assign("/desk/ops"); return; }
      if (!response.ok) throw new Error(String(response.status));
      render(await response.json());
      error.hidden = true;
    } catch (e) {
      error.textContent = "The figures can't be loaded right now.";
      error.hidden = false;
    }
  }

  refresh();
  window.setInterval(refresh, 60000);
})();
