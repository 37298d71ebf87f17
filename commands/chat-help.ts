/** `help` where one surface takes every command (Teams, the console): mailcheck and patch. */
import { MAILCHECK_USAGE } from './mailcheck.js';
import { PATCH_HELP } from './patch-request.js';

export const CHAT_HELP = [MAILCHECK_USAGE, '', PATCH_HELP, '', 'help: this text.'].join('\n');
