/** Who does something to the inventory, as the store and its audit log need to know them. */
import type { Person } from '../patching/inventory.js';
import type { AuditSurface } from './audit-log.js';

export interface Actor {
  /** As the inventory knows them; undefined when their chat identity is unknown (they may not change anything). */
  readonly person: Person | undefined;
  /** How they appear in the audit log otherwise (slack:U123...). */
  readonly identity: string;
  readonly surface: AuditSurface;
}
