import type { TableInfo } from '@flock/schema';
import { closedObject, integerSchema, stringArray, stringSchema, type JsonSchema } from '../openapi/json-schema';

/** A bucket's tables, by name and size. */
export function presentTables(bucket: string, tables: TableInfo[]): object {
  return { data: { tables: tables.map((t) => ({ name: t.name, row_count: t.rowCount })) }, meta: { bucket } };
}

/** One table's columns and keys. */
export function presentTable(bucket: string, table: TableInfo): object {
  return {
    data: {
      name: table.name,
      row_count: table.rowCount,
      columns: table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
      primary_key: table.primaryKey,
      foreign_keys: table.foreignKeys.map((fk) => ({
        columns: fk.columns,
        references: { table: fk.referencedTable, columns: fk.referencedColumns },
      })),
    },
    meta: { bucket },
  };
}

const bucketMeta = closedObject({ bucket: stringSchema() });

export const schemaSchemas: Record<string, JsonSchema> = {
  TableList: closedObject({
    data: closedObject({
      tables: { type: 'array', items: closedObject({ name: stringSchema(), row_count: integerSchema() }) },
    }),
    meta: bucketMeta,
  }),
  TableDescription: closedObject({
    data: closedObject({
      name: stringSchema(),
      row_count: integerSchema(),
      columns: {
        type: 'array',
        items: closedObject({
          name: stringSchema(),
          type: stringSchema('DuckDB’s type name, e.g. `VARCHAR`, `DECIMAL(10,2)`, `TIMESTAMP`.'),
          nullable: { type: 'boolean' },
        }),
      },
      primary_key: stringArray('Columns of the declared primary key, in order; empty when none is declared.'),
      foreign_keys: {
        type: 'array',
        items: closedObject({
          columns: stringArray(),
          references: closedObject({ table: stringSchema(), columns: stringArray() }),
        }),
      },
    }),
    meta: bucketMeta,
  }),
};
