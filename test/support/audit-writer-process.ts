/**
 * A second replica for audit tests: appends `count` entries, one write transaction each, to the
 * store named on the command line. Usage: audit-writer-process.ts <location-json> <actor> <count>
 */
import { auditAppender } from '../../src/store/audit-log.js';
import { openDatabase } from '../../src/store/database.js';
import { writeTransaction } from '../../src/store/write-transaction.js';

const [locationJson, actor, count] = process.argv.slice(2);
const store = openDatabase(JSON.parse(locationJson!));
try {
  for (let n = 0; n < Number(count); n++) {
    await writeTransaction(store, (trx) =>
      auditAppender(trx).append({ at: Date.now(), actor: actor!, action: 'ack', surface: 'cli', details: { n } }),
    );
  }
} finally {
  await store.close();
}
