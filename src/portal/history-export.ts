import { stringify } from 'csv-stringify/sync';

/** One history view as a table: what a page shows, a CSV file holds and a PDF report prints. */
export interface HistoryTable {
  title: string;
  /** e.g. "2026-03-01 to 2026-03-31 (UTC)". */
  period: string;
  columns: string[];
  rows: string[][];
  /** Who made the export and when, for the report's header. */
  madeBy?: string;
}

/** Excel and LibreOffice open a UTF-8 CSV with umlauts right only behind a byte order mark. */
const BOM = '\uFEFF';
/**
 * A cell starting with one of these is a formula to a spreadsheet (OWASP
 * "CSV injection"): it is prefixed with an apostrophe so it shows as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function escapeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The table as CSV (csv-stringify): UTF-8 with BOM, a header row, formula injection escaped. */
export function historyCsv(table: HistoryTable): Buffer {
  const text = stringify([table.columns, ...table.rows].map((r) => r.map(escapeFormula)), { record_delimiter: 'windows' });
  return Buffer.from(BOM + text, 'utf8');
}

const MARGIN = 40;
const FONT_SIZE = 8;

/**
 * The table as a PDF report (pdfkit): a header with title and period on
 * every page, the table with its column heads repeated, and "page n of m"
 * at the foot. Helvetica's WinAnsi encoding carries German umlauts; other
 * characters are replaced rather than printed as garbage. pdfkit (with its
 * fonts) loads at the first report, not with the portal: a centre that makes
 * no PDF never pays for it (issue 15, CLI start).
 */
export async function historyPdf(table: HistoryTable, createdAt: Date): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: MARGIN, bufferPages: true, info: { Title: table.title, Producer: 'hicom-sim', CreationDate: createdAt } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 2 * MARGIN;
    const colWidth = width / Math.max(1, table.columns.length);
    const safe = (s: string) => s.replace(/[^\x20-\x7e\xa0-\xff\n]/g, '?');
    const header = () => {
      doc.font('Helvetica-Bold').fontSize(14).text(safe(table.title), MARGIN, MARGIN, { width });
      doc.font('Helvetica').fontSize(9).text(`Period: ${safe(table.period)}`, { width });
      doc.text(`Made ${createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC${table.madeBy ? ` by ${safe(table.madeBy)}` : ''} · ${table.rows.length} rows`, { width });
      doc.moveDown(0.6);
      row(table.columns, true);
    };
    const row = (cells: string[], bold = false) => {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(FONT_SIZE);
      const heights = cells.map((c) => doc.heightOfString(safe(c), { width: colWidth - 4 }));
      const h = Math.max(FONT_SIZE + 2, ...heights) + 3;
      if (doc.y + h > doc.page.height - MARGIN - 20) {
        doc.addPage();
        header();
        doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(FONT_SIZE);
      }
      const y = doc.y;
      cells.forEach((c, i) => doc.text(safe(c), MARGIN + i * colWidth + 2, y + 1, { width: colWidth - 4 }));
      doc.moveTo(MARGIN, y + h).lineTo(MARGIN + width, y + h).lineWidth(0.3).strokeColor('#999999').stroke();
      doc.x = MARGIN;
      doc.y = y + h + 1;
    };
    header();
    if (table.rows.length === 0) doc.font('Helvetica').fontSize(10).text('Nothing in this period.', MARGIN, doc.y + 4);
    for (const r of table.rows) row(r);
    const range = doc.bufferedPageRange();
    for (let i = 0; i < range.count; i++) {
      doc.switchToPage(range.start + i);
      // The foot lies in the bottom margin: lift the margin for it, or pdfkit would start a new page.
      doc.page.margins.bottom = 0;
      doc.font('Helvetica').fontSize(8).text(`Page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN, { width, align: 'right', lineBreak: false });
    }
    doc.end();
  });
}
