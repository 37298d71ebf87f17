/** The few column definitions that SQLite and PostgreSQL spell differently. */
import type { CreateTableBuilder } from 'kysely';
import type { StoreDialect } from '../database.js';

/** An id the database assigns on insert: INTEGER PRIMARY KEY AUTOINCREMENT / BIGSERIAL. */
export function identityColumn<T extends string>(
  table: CreateTableBuilder<T>,
  dialect: StoreDialect,
  name: string,
): CreateTableBuilder<T> {
  return dialect === 'postgres'
    ? table.addColumn(name, 'bigserial', (c) => c.primaryKey())
    : table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement());
}
