import { describe, expect, it } from 'vitest';
import type { QueryColumn } from '../../../../shared/api';
import { csvField, toCsv } from './queryModel';

// Issue 11, item 6: a value such as `=HYPERLINK(…)` stored in a database was exported as a live formula.
describe('CSV export', () => {
  it('turns every cell a spreadsheet would run as a formula into quoted text', () => {
    for (const [value, expected] of [
      ['=1+1', `"'=1+1"`],
      ['-2+3', `"'-2+3"`],
      ['-A1', `"'-A1"`],
      ['+A1*2', `"'+A1*2"`],
      ['@SUM(A1)', `"'@SUM(A1)"`],
      ['\t=1', `"'\t=1"`],
      ['\r=1', `"'\r=1"`],
      [`=cmd|' /C calc'!A0`, `"'=cmd|' /C calc'!A0"`],
      ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ] as const) {
      expect(csvField(value), JSON.stringify(value)).toBe(expected);
    }
  });

  it('leaves ordinary text and plain numbers as they were', () => {
    expect(csvField('a=b')).toBe('a=b');
    for (const number of ['-5', '-12.50', '+1e3', '-.5']) expect(csvField(number), number).toBe(number);
    expect(csvField('plain')).toBe('plain');
    expect(csvField('')).toBe('');
    const columns: QueryColumn[] = [
      { name: 'n', type: 'int', kind: 'number' },
      { name: '=note', type: 'text', kind: 'text' },
    ];
    expect(toCsv(columns, [[-5, '-5'], [1.5, '@x'], [null, null]])).toBe(`n,"'=note"\r\n-5,-5\r\n1.5,"'@x"\r\n,\r\n`);
  });
});
