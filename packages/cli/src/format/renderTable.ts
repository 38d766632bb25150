export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Right-aligns the column (counts). */
  align?: 'left' | 'right';
}

/**
 * Rows as aligned columns under a header, two spaces apart, no trailing blanks. Wide enough for the
 * widest cell of each column; nothing is cut, so an id can always be copied from the output.
 */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const renderLine = (values: readonly string[]) =>
    values
      .map((value, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === 'right' ? value.padStart(width) : value.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [renderLine(columns.map((column) => column.header)), ...cells.map((line) => renderLine(line))].join(
    '\n',
  );
}
