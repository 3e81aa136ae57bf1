/**
 * The portal's one script, served as /assets/portal.js (never inline: the
 * CSP allows scripts from the portal itself only). It runs in the browser:
 * the server sends `(${portalScript.toString()})();`, so the function uses
 * nothing from this module's scope. Everything works without it (forms
 * post, pages reload); it adds live notifications over Server-Sent Events,
 * the supervision chart (Chart.js, served locally) and the live answer of
 * "test now", and keeps what a person typed into a form the server refused
 * (never a password or PIN). The browser types it needs are declared narrowly, since the
 * project builds without the DOM library.
 */
interface El {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  className: string;
  querySelector(selector: string): El | null;
  prepend(node: El): void;
  append(...nodes: Array<El | string>): void;
  remove(): void;
  setAttribute(name: string, value: string): void;
}
interface Field {
  name: string;
  type: string;
  value: string;
  checked: boolean;
}
interface Form {
  getAttribute(name: string): string | null;
  elements: Iterable<Field>;
  addEventListener(type: 'submit', listener: () => void): void;
}
interface Doc {
  querySelectorAll(selector: string): Iterable<El>;
  forms: Iterable<Form>;
  querySelector(selector: string): El | null;
  createElement(tag: string): El;
}
interface LiveEvent {
  id: number;
  deviceId: string;
  type: string;
  /** Test calls by modem: what became of the call, and how long the PBX's report may take. */
  outcome?: string;
  waitMs?: number;
  text: string;
  occurredAt: string;
  stateClass: string;
}
interface Source {
  addEventListener(type: string, listener: (m: { data: string; lastEventId: string }) => void): void;
  onopen: (() => void) | null;
  onerror: (() => void) | null;
  close(): void;
}
declare const document: Doc;
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
declare const window: { Chart?: new (canvas: El, config: unknown) => unknown; EventSource: new (url: string) => Source; setTimeout(fn: () => void, ms: number): number; clearTimeout(id: number): void };

export function portalScript(): void {
  const announce = (text: string): void => {
    const region = document.querySelector('#live-region');
    if (region) region.textContent = text;
  };

  // A refused form comes back as its page with the reason: put back what was typed (secrets excepted), so nothing is lost.
  const KEPT_FORM = 'hcs-refused-form';
  const secret = (f: Field) => f.type === 'password' || f.type === 'hidden' || /^(_csrf|password|pin)$/.test(f.name);
  const kept = sessionStorage.getItem(KEPT_FORM);
  sessionStorage.removeItem(KEPT_FORM);
  if (kept && document.querySelector('.problem')) {
    const { action, values } = JSON.parse(kept) as { action: string; values: Array<[string, string, boolean]> };
    const form = [...document.forms].find((f) => f.getAttribute('action') === action);
    for (const field of form ? [...form.elements] : []) {
      if (!field.name || secret(field) || field.type === 'submit') continue;
      const mine = values.filter(([name]) => name === field.name);
      if (field.type === 'checkbox' || field.type === 'radio') field.checked = mine.some(([, value, checked]) => value === field.value && checked);
      else if (mine[0]) field.value = mine[0][1];
    }
  }
  for (const form of document.forms) {
    form.addEventListener('submit', () => {
      const values = [...form.elements].filter((f) => f.name && !secret(f)).map((f): [string, string, boolean] => [f.name, f.value, f.checked]);
      sessionStorage.setItem(KEPT_FORM, JSON.stringify({ action: form.getAttribute('action'), values }));
    });
  }

  const testBox = document.querySelector('[data-test-device]');
  let testTimer = 0;
  const testResult = (text: string, said: string, waitMs?: number, late?: string) => {
    const result = testBox?.querySelector('[data-test-result]');
    if (result) result.textContent = text;
    announce(said);
    window.clearTimeout(testTimer);
    if (waitMs === undefined || late === undefined) return;
    testTimer = window.setTimeout(() => {
      if (result) result.textContent = late;
      announce('Test: no answer in time');
    }, waitMs);
  };
  if (testBox && testBox.dataset.testCommand) {
    const limit = Number(testBox.dataset.testTimeout ?? '0');
    const s = Math.round(limit / 1000);
    if (testBox.dataset.testVia === 'modem') {
      testResult(`Test asked: the centre is calling the PBX by modem (the outcome of the call within ${s} s)…`, 'Test asked', limit, `No outcome of the call within ${s} s: no centre process with a modem took it (is centre serve running with --modem?), or its modem hangs.`);
    } else {
      testResult(`Test asked; waiting for the device's answer (up to ${s} s)…`, 'Test asked', limit, `No answer within ${s} s: the device has not checked in since the test was asked. It stays queued and runs at the device's next check-in.`);
    }
  }

  for (const section of document.querySelectorAll('[data-live]')) {
    const list = section.querySelector('[data-live-list]');
    const status = section.querySelector('[data-live-status]');
    if (!list || !status) continue;
    const source = new window.EventSource(section.dataset.live ?? '/live');
    source.onopen = () => {
      status.textContent = 'Live: new events appear here as they arrive.';
    };
    source.onerror = () => {
      status.textContent = 'Connection lost; reconnecting (nothing is missed).';
    };
    source.addEventListener('event', (m) => {
      const e = JSON.parse(m.data) as LiveEvent;
      const item = document.createElement('li');
      item.setAttribute('data-event', String(e.id));
      const badge = document.createElement('span');
      badge.className = `state state-${e.stateClass}`;
      badge.textContent = e.type;
      const link = document.createElement('a');
      link.setAttribute('href', `/devices/${encodeURIComponent(e.deviceId)}#event-${e.id}`);
      link.textContent = e.deviceId;
      item.append(badge, ' ', link, ` ${e.occurredAt}: ${e.text}`);
      list.prepend(item);
      document.querySelector('[data-no-events]')?.remove();
      announce(`${e.type} on ${e.deviceId}`);
      if (testBox && testBox.dataset.testCommand && e.deviceId === testBox.dataset.testDevice) {
        if (e.type === 'test-call' && e.outcome === 'entered') {
          const wait = e.waitMs ?? 0;
          const within = wait < 120_000 ? `${Math.ceil(wait / 1000)} s` : `${Math.ceil(wait / 60_000)} min`;
          testResult(`${e.text} Waiting for its report (${e.occurredAt})…`, 'Test entered in the PBX', wait, `No report from the PBX within ${within} of the test: its error signaling may be off, or callback index 1 does not name the centre's modem.`);
        } else if (e.type === 'test-call') {
          testResult(`Test call failed: ${e.text} (${e.occurredAt})`, 'Test call failed');
        } else if (e.type === 'test' || e.type === 'function-test' || e.type === 'command') {
          testResult(`Answer from the device: ${e.type} ${e.text} (${e.occurredAt})`, 'Test answered');
        }
      }
    });
    source.addEventListener('closed', (m) => {
      // The server ended it for good (session over): no reconnecting.
      source.close();
      status.textContent = m.data;
      announce(m.data);
    });
  }

  const canvas = document.querySelector('[data-chart]');
  const data = document.querySelector('[data-chart-data]');
  if (canvas && data && window.Chart) {
    const model = JSON.parse(data.textContent ?? '{}') as { from: number; to: number; rows: string[]; series: Array<{ label: string; color: string; points: Array<{ x: number; y: string; detail: string }> }> };
    const two = (n: number): string => String(n).padStart(2, '0');
    const clock = (ms: number): string => {
      const d = new Date(ms);
      return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
    };
    new window.Chart(canvas, {
      type: 'scatter',
      data: { datasets: model.series.map((s) => ({ label: s.label, data: s.points, backgroundColor: s.color, borderColor: s.color, pointRadius: 4, pointStyle: 'rectRot' })) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', min: model.from, max: model.to, title: { display: true, text: 'time (UTC)' }, ticks: { callback: (v: number) => clock(v), stepSize: 3 * 3600_000 } },
          y: { type: 'category', labels: model.rows, offset: true },
        },
        plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (item: { raw: { detail: string } }) => item.raw.detail } } },
      },
    });
  }
}
