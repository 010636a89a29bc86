/**
 * The few queries every submission runs, built and compiled by Kysely once per database and then
 * run with each call's values (Kysely's own recipe: compile, then `executeQuery`). In a burst of
 * submissions, building and compiling these queries cost the web process about as much CPU as
 * SQLite's work on them.
 *
 * `build` is called once, with a marker in place of each value, so it must use every value as a
 * bound parameter (a comparison's value, an inserted value) and never branch on one. Values are
 * plain scalars: Kysely writes some others into the SQL text (an array becomes an IN list, null
 * compared with `is` a literal), which would keep the first call's. The compile checks that every
 * value became a parameter and fails loudly where one did not.
 */
import { type Compilable, type CompiledQuery, createQueryId } from 'kysely';
import type { Db } from './database.ts';

type Value = string | number | null;
type Values = Readonly<Record<string, Value | undefined>>;

/** A compiled query, and for each of its parameters the name of the value it takes (null: a constant). */
interface Prepared<R> {
  query: CompiledQuery<R>;
  names: (string | null)[];
}

/** Prefixes a value's name in the marker standing for it; no real value starts with a NUL. */
const MARK = '\u0000value:';

export function compiledOnce<V extends Values, R>(
  build: (db: Db, values: V) => Compilable<R>,
): (db: Db, values: V) => Promise<R[]> {
  // Per dialect adapter: a transaction shares its database's, and SQLite's SQL is not PostgreSQL's.
  const compiled = new WeakMap<object, Map<string, Prepared<R>>>();
  return async (db, values) => {
    // Plugins could rewrite the SQL per query; ytconv uses none, and compiling once assumes so.
    const { plugins, adapter } = db.getExecutor();
    if (plugins.length > 0) throw new Error('compiledOnce: a database with plugins');
    // An undefined value leaves its column out, as the query builder does.
    const names = Object.keys(values).filter((name) => values[name] !== undefined);
    let shapes = compiled.get(adapter);
    if (shapes === undefined) {
      shapes = new Map();
      compiled.set(adapter, shapes);
    }
    const shape = names.join('\u0000');
    let prepared = shapes.get(shape);
    if (prepared === undefined) {
      prepared = prepare(db, build, names);
      shapes.set(shape, prepared);
    }
    const { query } = prepared;
    const parameters = prepared.names.map((name, i) => (name === null ? query.parameters[i] : values[name]));
    return (await db.executeQuery<R>({ ...query, parameters, queryId: createQueryId() })).rows;
  };
}

function prepare<V extends Values, R>(
  db: Db,
  build: (db: Db, values: V) => Compilable<R>,
  names: readonly string[],
): Prepared<R> {
  const markers = Object.fromEntries(names.map((name) => [name, `${MARK}${name}`])) as unknown as V;
  const query = build(db, markers).compile();
  const nameOf = (p: unknown) => (typeof p === 'string' && p.startsWith(MARK) ? p.slice(MARK.length) : null);
  const bound = query.parameters.map(nameOf);
  const unbound = names.filter((name) => !bound.includes(name));
  if (unbound.length > 0 || query.sql.includes(MARK)) {
    throw new Error(`compiledOnce: ${unbound.join(', ') || 'a value'} is not a bound parameter of ${query.sql}`);
  }
  return { query, names: bound };
}
