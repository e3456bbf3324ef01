import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import { minorUnits } from '../common/money';
import type { ExportColumn, ExportValue } from '../modules/exports';

/**
 * The two file formats of an export, written row batch by row batch into the response (the
 * caller waits for `drain` between batches):
 * - CSV: UTF-8 with a byte order mark (so Excel reads Chinese text as UTF-8), RFC 4180 quoting by
 *   csv-stringify, a header row; amounts at their currency's scale, dates as YYYY-MM-DD, times in ISO 8601 (UTC);
 *   a text that would start a formula is written with a leading apostrophe (see FORMULA_START).
 * - XLSX: exceljs' streaming WorkbookWriter (rows are committed, not kept): amounts and numbers as
 *   number cells (amounts formatted at their currency's scale, the currency in its own column), dates
 *   and times as date cells.
 */
export const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface SheetWriter {
  rows(rows: readonly unknown[]): void;
  end(): Promise<void>;
}

/** An amount at its currency's scale ("12.50", "1200" for JPY); as given when the row has no currency. */
function moneyText(value: ExportValue, currency: string | null | undefined): string {
  const d = new Decimal(String(value));
  return currency ? d.toFixed(minorUnits(currency), Decimal.ROUND_HALF_UP) : d.toFixed();
}

/**
 * A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
 * carriage return: OWASP's "CSV injection") is written with a leading apostrophe, which Excel,
 * LibreOffice and Google Sheets show as text. Only text columns: amounts, numbers and dates are
 * the exporter's own values, never a user's text, and a negative amount stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell<R>(column: ExportColumn<R>, row: R): string {
  const v = column.value(row);
  if (v == null) return '';
  if (column.type === 'money') return moneyText(v, column.currency?.(row));
  if (v instanceof Date) return v.toISOString();
  const text = String(v);
  return column.type === 'text' && FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvWriter<R>(out: Writable, columns: ReadonlyArray<ExportColumn<R>>): SheetWriter {
  out.write(stringify([columns.map((c) => c.header)], { bom: true, record_delimiter: 'windows' }));
  return {
    rows(rows) {
      if (!rows.length) return;
      out.write(stringify((rows as R[]).map((r) => columns.map((c) => csvCell(c, r))), { record_delimiter: 'windows' }));
    },
    async end() {
      out.end();
    },
  };
}

const DATE_FORMAT = 'yyyy-mm-dd';
const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';
const moneyFormat = (scale: number) => (scale > 0 ? `#,##0.${'0'.repeat(scale)}` : '#,##0');

/** A calendar day (YYYY-MM-DD) as the UTC midnight exceljs writes as that day's serial. */
function dayDate(text: string): Date {
  const [y, m, d] = text.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function xlsxWriter<R>(out: Writable, sheetName: string, columns: ReadonlyArray<ExportColumn<R>>): SheetWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31));
  sheet.columns = columns.map((c) => ({
    header: c.header,
    width: c.type === 'datetime' ? 20 : c.type === 'date' ? 12 : c.type === 'text' ? 24 : 14,
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  return {
    rows(rows) {
      for (const r of rows as R[]) {
        const row = sheet.addRow(columns.map(() => null));
        columns.forEach((c, i) => {
          const v = c.value(r);
          if (v == null) return;
          const cell = row.getCell(i + 1);
          switch (c.type) {
            case 'money': {
              const currency = c.currency?.(r);
              cell.value = Number(moneyText(v, currency));
              if (currency) cell.numFmt = moneyFormat(minorUnits(currency));
              break;
            }
            case 'number':
              cell.value = Number(v);
              break;
            case 'date':
              cell.value = dayDate(String(v));
              cell.numFmt = DATE_FORMAT;
              break;
            case 'datetime':
              cell.value = v instanceof Date ? v : new Date(String(v));
              cell.numFmt = DATETIME_FORMAT;
              break;
            case 'boolean':
              cell.value = Boolean(v);
              break;
            default:
              cell.value = String(v);
          }
        });
        row.commit();
      }
    },
    async end() {
      sheet.commit();
      await workbook.commit();
    },
  };
}
