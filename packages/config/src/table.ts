import type Joi from 'joi';

/**
 * One environment variable, declared once: the rule validates it and carries its default,
 * `doc` is its line in the README and .env.example, and `read` turns the validated value
 * into the config's (seconds into ms, `a=b` lists into maps).
 */
export interface Setting<Value> {
  kind: 'setting';
  env: string;
  rule: Joi.Schema;
  doc: string;
  /** Shown commented out in .env.example, for a setting without a default to show. */
  example?: string;
  read: (validated: unknown) => Value;
  /** Heading in .env.example; set by `section`. */
  section?: string;
}

/**
 * Settings that are only useful together, such as an endpoint and its model: the config
 * holds all of them, or undefined while any of `requires` is unset.
 */
export interface Group<Entries> {
  kind: 'group';
  requires: (keyof Entries)[];
  entries: Entries;
}

export type Entry = Setting<unknown> | Group<Table>;

/** Config property name to what fills it. */
export interface Table {
  [property: string]: Entry;
}

/** The value a joi rule validates to, e.g. number for Joi.number(). */
type ValueOfRule<Rule> = Rule extends Joi.AnySchema<infer Value> ? Value : never;

interface SettingSpec<Rule> {
  env: string;
  rule: Rule;
  doc: string;
  example?: string;
}

/**
 * A setting the config always has, because its rule has a default or its group requires
 * it; so its type leaves out undefined. Without `read` the validated value is used as is.
 */
export function setting<Rule extends Joi.AnySchema, Result>(
  spec: SettingSpec<Rule> & { read: (validated: ValueOfRule<Rule>) => Result },
): Setting<Result>;
export function setting<Rule extends Joi.AnySchema>(spec: SettingSpec<Rule>): Setting<ValueOfRule<Rule>>;
export function setting(spec: SettingSpec<Joi.AnySchema> & { read?: (validated: unknown) => unknown }): Setting<unknown> {
  return { kind: 'setting', ...spec, read: spec.read ?? ((validated) => validated) };
}

/** A setting that may be left unset, so its config property is optional. */
export function optional<Rule extends Joi.AnySchema>(spec: SettingSpec<Rule>): Setting<ValueOfRule<Rule> | undefined> {
  return setting(spec);
}

export function group<Entries extends Table>(requires: (keyof Entries)[], entries: Entries): Group<Entries> {
  return { kind: 'group', requires, entries };
}

/** Files `entries` under one heading of .env.example; the config object itself stays flat. */
export function section<Entries extends Table>(title: string, entries: Entries): Entries {
  for (const entry of settingsOf(entries)) entry.section = title;
  return entries;
}

/** Every setting of a table, groups opened, in the table's order (which is also joi's order of checks). */
export function settingsOf(table: Table): Setting<unknown>[] {
  return Object.values(table).flatMap((entry) => (entry.kind === 'setting' ? [entry] : settingsOf(entry.entries)));
}

/** What one entry puts in the config. */
type ValueOf<E> = E extends Setting<infer Value> ? Value : E extends Group<infer Entries> ? ConfigOf<Entries> | undefined : never;

type KeysThatMayBeUnset<T> = { [K in keyof T]: undefined extends ValueOf<T[K]> ? K : never }[keyof T];

/**
 * The config object a table describes. An entry that may be unset becomes an optional
 * property, as a hand-written interface would declare it (`jwtSecret?: string`).
 */
export type ConfigOf<T> = OneObject<
  { [K in Exclude<keyof T, KeysThatMayBeUnset<T>>]: ValueOf<T[K]> } & { [K in KeysThatMayBeUnset<T>]?: ValueOf<T[K]> }
>;

/** Merges an intersection, so that editors and errors show the config as one object. */
type OneObject<T> = { [K in keyof T]: T[K] };

/** Builds the config from an environment joi has already validated and defaulted. */
export function readTable<T extends Table>(table: T, validated: Record<string, unknown>): ConfigOf<T> {
  const config: Record<string, unknown> = {};
  for (const [property, entry] of Object.entries(table)) {
    config[property] = entry.kind === 'setting' ? entry.read(validated[entry.env]) : readGroup(entry, validated);
  }
  return config as ConfigOf<T>;
}

function readGroup(group: Group<Table>, validated: Record<string, unknown>) {
  const values: Record<string, unknown> = readTable(group.entries, validated);
  return group.requires.every((property) => values[property]) ? values : undefined;
}

/** The default a setting's rule applies, for the docs; undefined when it has none. */
export function defaultOf(entry: Setting<unknown>): unknown {
  return (entry.rule.describe().flags as { default?: unknown } | undefined)?.default;
}
