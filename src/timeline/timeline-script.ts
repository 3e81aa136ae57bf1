/**
 * The report page's own script. It runs in the browser: the page inlines
 * `drawTimelines.toString()`, so the function may use nothing from this
 * module's scope — only the page (its JSON data blocks) and Chart.js.
 * The browser types it needs are declared here, narrowly, since the
 * project builds without the DOM library.
 */
interface PageElement {
  textContent: string | null;
  style: { height: string };
  querySelector(selector: string): PageElement | null;
  setAttribute(name: string, value: string): void;
}
interface PageDocument {
  querySelectorAll(selector: string): Iterable<PageElement>;
  body: PageElement;
}
interface TooltipItem {
  raw: { detail: string };
}
declare const document: PageDocument;
declare const window: { Chart: new (canvas: PageElement, config: unknown) => unknown };

export function drawTimelines(): void {
  const clock = (seconds: number): string => {
    const s = Math.floor(seconds);
    const days = Math.floor(s / 86400);
    const two = (n: number): string => String(n).padStart(2, '0');
    const hms = `${two(Math.floor((s % 86400) / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
    return days ? `${days}d ${hms}` : hms;
  };
  for (const holder of document.querySelectorAll('[data-timeline]')) {
    const data = holder.querySelector('script[type="application/json"]');
    const canvas = holder.querySelector('canvas');
    const box = holder.querySelector('.chart-box');
    if (!data || !canvas || !box) continue;
    const model = JSON.parse(data.textContent ?? '{}') as { rows: string[]; series: Array<{ label: string; color: string; data: unknown[] }>; spanSeconds: number; stepSeconds: number };
    box.style.height = `${Math.max(160, 70 + 44 * model.rows.length)}px`;
    new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: model.rows,
        datasets: model.series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color, borderColor: s.color, minBarLength: 6, barThickness: 12, grouped: false })),
      },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', min: 0, max: model.spanSeconds, title: { display: true, text: 'lab time since the start' }, ticks: { stepSize: model.stepSeconds, callback: (v: number) => clock(v) } },
          y: { type: 'category', labels: model.rows },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: (item: TooltipItem) => item.raw.detail } },
        },
      },
    });
  }
  document.body.setAttribute('data-ready', 'true');
}
