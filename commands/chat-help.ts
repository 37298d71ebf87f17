/** `help` where one surface takes every command (Teams, the console): mailcheck, patch and outage. */
import { MAILCHECK_USAGE } from './mailcheck.js';
import { OUTAGE_HELP } from './outage-command.js';
import { PATCH_HELP } from './patch-request.js';

export const CHAT_HELP = [MAILCHECK_USAGE, '', PATCH_HELP, '', OUTAGE_HELP, '', 'help: this text.'].join('\n');
