import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../shared/errors';
import { parseDatabaseUrl } from './connectionUrl';

describe('parseDatabaseUrl', () => {
  it('reads each scheme with its default port, credentials percent-decoded', () => {
    expect(parseDatabaseUrl('mysql://ferry:p%40ss@db.example:3307/shop', '--source').settings).toEqual({
      dialect: 'mysql',
      host: 'db.example',
      port: 3307,
      user: 'ferry',
      password: 'p@ss',
      database: 'shop',
    });
    expect(parseDatabaseUrl('mariadb://u@h/d', 'x').settings).toMatchObject({ dialect: 'mysql', port: 3306 });
    expect(parseDatabaseUrl('postgresql://u:p@h/d', 'x').settings).toMatchObject({ dialect: 'postgres', port: 5432 });
    expect(parseDatabaseUrl('mssql://sa:p@h/d?ssl=verify', 'x').settings).toMatchObject({ dialect: 'sqlserver', port: 1433, ssl: { verify: true } });
  });

  it('takes the zone of zone-less timestamps from ?timezone=', () => {
    expect(parseDatabaseUrl('postgres://u:p@h/d?timezone=Europe/Paris', 'x').timeZone).toBe('Europe/Paris');
  });

  it('names the side and never quotes the URL (it holds a password)', () => {
    for (const url of ['not a url secret123', 'oracle://u:secret123@h/d', 'mysql://u:secret123@h/']) {
      try {
        parseDatabaseUrl(url, 'The source URL');
        expect.unreachable();
      } catch (error) {
        expect(isEngineError(error) && error.code).toBe('VERIFY_BAD_URL');
        expect((error as Error).message).toContain('The source URL');
        expect((error as Error).message).not.toContain('secret123');
      }
    }
  });
});
