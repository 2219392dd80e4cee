/** Secret masking lives in core/secrets.ts (drivers mask the node they send to agents too). */
export { SECRET, mayHoldSecret, maskPassword, maskDictPassword } from '../../core/secrets.ts';
