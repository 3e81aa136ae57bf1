import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { historyCsv, historyPdf, type HistoryTable } from '../../src/portal/history-export.js';

const table = (rows: string[][]): HistoryTable => ({ title: 'Key movements of SD-1', period: '2026-02-01 to 2026-02-28 (UTC)', columns: ['time (UTC)', 'depot', 'movement', 'compartment', 'holder'], rows, madeBy: 'billing' });

t.test('CSV: UTF-8 with BOM, umlauts kept, formula injection escaped, quotes and line breaks quoted', async (t) => {
  const rows = [
    ['2026-02-03 10:00:00', 'SD-1', 'taken', '2', 'Jürgen Größe'],
    ['2026-02-03 10:05:00', 'SD-1', 'taken', '3', '=HYPERLINK("http://x","klick")'],
    ['2026-02-03 10:06:00', 'SD-1', 'taken', '3', '+1+2'],
    ['2026-02-03 10:07:00', 'SD-1', 'taken', '3', '-2+3'],
    ['2026-02-03 10:08:00', 'SD-1', 'taken', '3', '@SUM(A1)'],
    ['2026-02-03 10:09:00', 'SD-1', 'taken', '3', '\tTAB'],
    ['2026-02-03 10:10:00', 'SD-1', 'returned', '3', 'Zeile 1\nZeile 2, "zitiert"'],
  ];
  const bytes = historyCsv(table(rows));
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 byte order mark');
  // Read back by another program's CSV reader (Python's csv module, as a spreadsheet reads it: BOM skipped, quoting honoured).
  const dir = mkdtempSync(join(tmpdir(), 'hicom-csv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'm.csv'), bytes);
  const reader = 'import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))))';
  const parsed = JSON.parse(execFileSync('python3', ['-c', reader, join(dir, 'm.csv')], { encoding: 'utf8' })) as string[][];
  t.same(parsed[0], ['time (UTC)', 'depot', 'movement', 'compartment', 'holder'], 'a header row');
  t.equal(parsed[1][4], 'Jürgen Größe', 'umlauts as typed');
  t.same(parsed.slice(2, 7).map((r) => r[4]), ["'=HYPERLINK(\"http://x\",\"klick\")", "'+1+2", "'-2+3", "'@SUM(A1)", "'\tTAB"], 'a cell a spreadsheet would run as a formula starts with an apostrophe');
  t.equal(parsed[7][4], 'Zeile 1\nZeile 2, "zitiert"', 'commas, quotes and line breaks survive the round trip');
  t.equal(parsed.length, rows.length + 1, 'one record per row');
});

t.test('PDF: header, period, table and page numbers, read back with pdftotext', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hicom-pdf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const rows = Array.from({ length: 120 }, (_, i) => [`2026-02-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00`, 'SD-1', i % 2 ? 'returned' : 'taken', String(1 + (i % 4)), i === 0 ? 'Jürgen Größe' : `Halter ${i}`]);
  const pdf = await historyPdf(table(rows), new Date(Date.UTC(2026, 2, 2, 8)));
  t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF');
  const file = join(dir, 'r.pdf');
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  t.match(text, /Key movements of SD-1/, 'the title');
  t.match(text, /Period: 2026-02-01 to 2026-02-28 \(UTC\)/, 'the period');
  t.match(text, /by billing/, 'who made it');
  t.match(text, /taken\s+1\s+Jürgen Größe/, 'the rows, umlauts kept');
  t.match(text, /Halter 119/, 'down to the last row');
  const pages = [...text.matchAll(/Page (\d+) of (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  t.ok(pages.length > 1, `120 rows take more than one page (${pages.length})`);
  t.same(pages, pages.map((_p, i) => [i + 1, pages.length]), 'every page numbered "Page n of N"');
  t.equal((text.match(/time \(UTC\)/g) ?? []).length, pages.length, 'the column header on every page');
});
