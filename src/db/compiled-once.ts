/**
 * The few queries every submission runs, built and compiled by Kysely once per database and then
 * run with each call's values (Kysely's own recipe: compile, then `executeQuery`). In a burst of
 * submissions, building and compiling these queries cost the web process about as much CPU as
 * SQLite's work on them.
 *
 * `build` is called once with a marker in place of each value. Every value must become a bound
 * parameter (a comparison's value, an inserted value), never part of the SQL text: the first
 * call's values would then stick. The compile checks that, and fails loudly where it does not hold.
 */
import { type Compilable, type CompiledQuery, createQueryId } from 'kysely';
import type { Db } from './database.ts';

type Values = Readonly<Record<string, unknown>>;

/** Prefixes a value's name in the marker standing for it; no real value starts with a NUL. */
const MARK = '\u0000value:';

export function compiledOnce<V extends Values, R>(
  build: (db: Db, values: V) => Compilable<R>,
): (db: Db, values: V) => Promise<R[]> {
  // Per dialect adapter: a transaction shares its database's, and SQLite's SQL is not PostgreSQL's.
  const compiled = new WeakMap<object, Map<string, CompiledQuery<R>>>();
  return async (db, values) => {
    // An undefined value leaves its column out, as the query builder does.
    const names = Object.keys(values).filter((name) => values[name] !== undefined);
    const adapter = db.getExecutor().adapter;
    let shapes = compiled.get(adapter);
    if (shapes === undefined) {
      shapes = new Map();
      compiled.set(adapter, shapes);
    }
    const shape = names.join(',');
    let query = shapes.get(shape);
    if (query === undefined) {
      query = compile(db, build, names);
      shapes.set(shape, query);
    }
    const parameters = query.parameters.map((p) =>
      typeof p === 'string' && p.startsWith(MARK) ? values[p.slice(MARK.length)] : p,
    );
    return (await db.executeQuery<R>({ ...query, parameters, queryId: createQueryId() })).rows;
  };
}

function compile<V extends Values, R>(
  db: Db,
  build: (db: Db, values: V) => Compilable<R>,
  names: readonly string[],
): CompiledQuery<R> {
  const markers = Object.fromEntries(names.map((name) => [name, `${MARK}${name}`])) as unknown as V;
  const query = build(db, markers).compile();
  const bound = new Set(query.parameters);
  const unbound = names.filter((name) => !bound.has(`${MARK}${name}`));
  if (unbound.length > 0 || query.sql.includes(MARK)) {
    throw new Error(`compiledOnce: ${unbound.join(', ') || 'a value'} is not a bound parameter of ${query.sql}`);
  }
  return query;
}
