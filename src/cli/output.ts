/** Human tables (cli-table3) or machine output (`--json`): one JSON document, or one per line for streams. */
import Table from 'cli-table3';
import type { CliIO } from './io';

/** A column of a table: its heading and how to read the cell from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Right-align (numbers). */
  right?: boolean;
}

/**
 * Formats a value for a table cell or a line: decimals stay strings; a missing value (e.g. an
 * inferred field the server did not send) is '-', never "undefined" or a blank that reads as empty.
 */
export function cell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Renders rows as a table string (no trailing newline). */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    colAligns: columns.map((c) => (c.right ? 'right' : 'left')),
    style: { head: [], border: [] },
  });
  for (const row of rows) table.push(columns.map((c) => cell(c.value(row))));
  return table.toString();
}

/** Prints a list: a table (or "No X." when empty), or the whole array as one JSON document. */
export function printList<T>(
  io: CliIO,
  {
    json,
    rows,
    columns,
    noun,
  }: { json: boolean; rows: readonly T[]; columns: readonly Column<T>[]; noun: string },
): void {
  if (json) io.out(`${JSON.stringify(rows)}\n`);
  else if (rows.length === 0) io.out(`No ${noun}.\n`);
  else io.out(`${renderTable(rows, columns)}\n`);
}

/** Prints one object: key/value lines, or one JSON document. */
export function printObject(io: CliIO, json: boolean, value: Record<string, unknown>): void {
  if (json) {
    io.out(`${JSON.stringify(value)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(value).map((k) => k.length));
  for (const [key, v] of Object.entries(value)) io.out(`${key.padEnd(width)}  ${cell(v)}\n`);
}

/** Prints one event of a stream as one JSON line. */
export function printEvent(io: CliIO, event: string, data?: unknown): void {
  io.out(`${JSON.stringify(data === undefined ? { event } : { event, data })}\n`);
}
