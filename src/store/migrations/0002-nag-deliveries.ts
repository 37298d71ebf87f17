/**
 * Which platforms a nag has reached, so a retry after one platform failed does not post again on
 * the platforms that succeeded (JSON array of platform names).
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('nags')
    .addColumn('delivered', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
