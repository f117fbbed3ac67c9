/**
 * A database driver package, loaded the first time the code touches it instead of when the module that uses it is
 * imported. Every connector thread (and the host) imports the engine's modules for every database, but a pipeline
 * uses one or two drivers: a MariaDB source's thread has no use for mssql (~30 MB resident, ~200 ms of CPU to load),
 * @azure/storage-blob (~14 MB) or pg. `import pg from 'pg'` becomes `const pg = lazyModule<typeof PgModule>('pg')`
 * and the code that uses `pg.Client` stays as it was.
 *
 * Only for CommonJS packages (they load synchronously through require, as `import` of them does). The module is the
 * same object an `import` would give (`module.exports`), so classes, `instanceof` and constants behave alike.
 */
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

export function lazyModule<T extends object>(specifier: string): T {
  let loaded: T | undefined;
  const load = (): T => (loaded ??= requireFromHere(specifier) as T);
  // A function target so that a package whose export is a class (`new ZongJi(...)`) can be constructed too.
  const target = function lazyModuleTarget(): void {} as unknown as T;
  return new Proxy(target, {
    get: (_target, property) => Reflect.get(load(), property),
    set: (_target, property, value) => Reflect.set(load(), property, value),
    has: (_target, property) => Reflect.has(load(), property),
    apply: (_target, thisArgument, args: unknown[]) => Reflect.apply(load() as (...args: unknown[]) => unknown, thisArgument, args),
    construct: (_target, args: unknown[]) => Reflect.construct(load() as new (...args: unknown[]) => object, args),
  });
}

/** Whether `lazyModule(specifier)` has loaded its package in this thread yet (for tests of what a thread loads). */
export function isPackageLoaded(specifier: string): boolean {
  try {
    return requireFromHere.cache[requireFromHere.resolve(specifier)] !== undefined;
  } catch {
    return false;
  }
}
