import { describe, expect, it } from 'vitest';
import { type JdbcUrlInfo, parseJdbcUrl } from './jdbcUrl';

function info(url: string): JdbcUrlInfo {
  const result = parseJdbcUrl(url);
  if (!result.ok) throw new Error(`${url}: ${result.message}`);
  return result.info;
}

function failure(url: string): string {
  const result = parseJdbcUrl(url);
  if (result.ok) throw new Error(`${url} should not parse`);
  return result.message;
}

describe('MySQL and MariaDB URLs', () => {
  it('reads host, port, database and parameters', () => {
    expect(info('jdbc:mysql://db.example.com:3307/shop?useUnicode=true&characterEncoding=utf8')).toMatchObject({
      dialect: 'mysql',
      driver: 'mysql',
      host: 'db.example.com',
      port: 3307,
      database: 'shop',
      ssl: 'prefer',
      properties: { useUnicode: 'true', characterEncoding: 'utf8' },
    });
    expect(info('jdbc:mysql://localhost/shop')).toMatchObject({ port: 3306, database: 'shop' });
    expect(info('jdbc:mysql://localhost:3306/')).toMatchObject({ database: undefined });
  });

  it('takes credentials from user:password@ and from parameters, percent-decoded, and keeps them out of properties', () => {
    expect(info('jdbc:mysql://app:p%40ss@h:3306/db')).toMatchObject({ user: 'app', password: 'p@ss', properties: {} });
    expect(info('jdbc:mysql://h/db?user=app&password=se%26cret&x=1')).toMatchObject({ user: 'app', password: 'se&cret', properties: { x: '1' } });
  });

  it('maps TLS settings to one SSL mode', () => {
    expect(info('jdbc:mysql://h/db?sslMode=VERIFY_IDENTITY').ssl).toBe('verify-full');
    expect(info('jdbc:mysql://h/db?sslMode=required').ssl).toBe('require');
    expect(info('jdbc:mysql://h/db?useSSL=false').ssl).toBe('disable');
    expect(info('jdbc:mysql://h/db?useSSL=true&requireSSL=true').ssl).toBe('require');
    expect(failure('jdbc:mysql://h/db?sslMode=SOMETIMES')).toMatch(/sslMode=SOMETIMES/);
  });

  it('understands MariaDB URLs and their own defaults', () => {
    expect(info('jdbc:mariadb://127.0.0.1:13306/ferry')).toMatchObject({ dialect: 'mysql', driver: 'mariadb', host: '127.0.0.1', port: 13306, database: 'ferry', ssl: 'disable' });
    expect(info('jdbc:mariadb://h/db?sslMode=verify-full').ssl).toBe('verify-full');
    expect(info('jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=true').ssl).toBe('require');
  });

  it('uses the first of several hosts and tells the caller about the rest', () => {
    expect(info('jdbc:mysql:loadbalance://a:3306,b:3307/db')).toMatchObject({ host: 'a', port: 3306, extraHosts: ['b:3307'] });
  });

  it('reads IPv6 literals', () => {
    expect(info('jdbc:mysql://[::1]:3310/db')).toMatchObject({ host: '::1', port: 3310 });
  });
});

describe('PostgreSQL URLs', () => {
  it('reads host, port, database and parameters', () => {
    expect(info('jdbc:postgresql://pg.example.com:5433/reporting?currentSchema=sales&user=w&password=pw')).toMatchObject({
      dialect: 'postgres',
      host: 'pg.example.com',
      port: 5433,
      database: 'reporting',
      user: 'w',
      password: 'pw',
      ssl: 'prefer',
      properties: { currentSchema: 'sales' },
    });
    expect(info('jdbc:postgresql://pg/db')).toMatchObject({ port: 5432 });
    expect(info('jdbc:postgresql:mydb')).toMatchObject({ host: 'localhost', port: 5432, database: 'mydb' });
  });

  it('maps sslmode and ssl=true', () => {
    expect(info('jdbc:postgresql://h/db?sslmode=require').ssl).toBe('require');
    expect(info('jdbc:postgresql://h/db?sslmode=disable').ssl).toBe('disable');
    expect(info('jdbc:postgresql://h/db?ssl=true').ssl).toBe('verify-full');
  });

  it('refuses user:password@, which pgjdbc does not support', () => {
    expect(failure('jdbc:postgresql://u:p@h/db')).toMatch(/cannot carry user:password@/);
  });
});

describe('SQL Server URLs', () => {
  it('reads semicolon properties, case-insensitively', () => {
    expect(info('jdbc:sqlserver://sql.example.com:1434;databaseName=Shop;encrypt=true;trustServerCertificate=true;loginTimeout=30')).toMatchObject({
      dialect: 'sqlserver',
      driver: 'sqlserver',
      host: 'sql.example.com',
      port: 1434,
      database: 'Shop',
      ssl: 'require',
      properties: { loginTimeout: '30' },
    });
    expect(info('jdbc:sqlserver://h;DATABASE=x;USER=sa;Password=pw')).toMatchObject({ port: 1433, database: 'x', user: 'sa', password: 'pw', ssl: 'verify-full' });
    expect(info('jdbc:sqlserver://h;databaseName=x;encrypt=false').ssl).toBe('prefer');
  });

  it('reads named instances and braced values', () => {
    expect(info('jdbc:sqlserver://h\\SQLEXPRESS:1500;databaseName=db')).toMatchObject({ host: 'h', instanceName: 'SQLEXPRESS', port: 1500 });
    expect(info('jdbc:sqlserver://h;password={pa;ss}}word};databaseName=db')).toMatchObject({ password: 'pa;ss}word', database: 'db' });
    expect(info('jdbc:sqlserver://;serverName=srv;portNumber=1440;databaseName=db')).toMatchObject({ host: 'srv', port: 1440 });
  });

  it('reads jTDS and the old Microsoft driver URLs', () => {
    expect(info('jdbc:jtds:sqlserver://h:1433/shop;ssl=require;user=sa')).toMatchObject({ driver: 'jtds', host: 'h', database: 'shop', ssl: 'require', user: 'sa' });
    expect(info('jdbc:microsoft:sqlserver://h:1433;DatabaseName=shop')).toMatchObject({ dialect: 'sqlserver', database: 'shop' });
  });

  it('rejects a bad port', () => {
    expect(failure('jdbc:sqlserver://h:99999;databaseName=db')).toMatch(/invalid port/);
  });
});

describe('URLs Ferry cannot use', () => {
  it('names the unsupported database and never quotes the URL', () => {
    expect(failure('jdbc:oracle:thin:@//h:1521/XE')).toMatch(/subprotocol "oracle"/);
    expect(failure('mysql://h/db')).toMatch(/must start with "jdbc:"/);
    const message = failure('jdbc:mysql://u:topsecret@h:notaport/db');
    expect(message).toMatch(/invalid port/);
    expect(message).not.toContain('topsecret');
  });
});
