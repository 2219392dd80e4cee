/**
 * Parsing `ipmitool sdr -v` into sensor data grouped by sensor type (Ironic's
 * _parse_ipmi_sensors_data): records are separated by blank lines; each "Key : Value"
 * line with exactly one colon is a field ("<<" debug lines skipped); the type is the
 * first word of "Sensor Type (Analog|Discrete|Threshold)"; records without a
 * "Sensor Reading" are left out; grouped as {type: {Sensor ID: record}}.
 */
import { DriverError } from '../../core/errors.ts';

export type SensorsData = Record<string, Record<string, Record<string, string>>>;

const TYPE_KEYS = ['Sensor Type (Analog)', 'Sensor Type (Discrete)', 'Sensor Type (Threshold)'];

const parseFailure = (uuid: string, error: string): DriverError =>
  new DriverError(`Failed to parse sensor data for node ${uuid}. Error: ${error}`, { reason: 'sensor_data' });

export function parseSensorsData(nodeUuid: string, text: string): SensorsData {
  const out: SensorsData = {};
  if (!text) return out;
  for (const block of text.split('\n\n')) {
    const rec: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (!line || line.startsWith('<<')) continue;
      const kv = line.split(':');
      if (kv.length !== 2) continue;
      rec[kv[0]!.trim()] = kv[1]!.trim();
    }
    if (Object.keys(rec).length === 0) continue;
    const typeKey = TYPE_KEYS.find((k) => Object.hasOwn(rec, k));
    if (!typeKey) throw parseFailure(nodeUuid, `parse ipmi sensor data failed, unknown sensor type data: ${JSON.stringify(rec)}`);
    const type = rec[typeKey]!.split(' ', 1)[0]!;
    if ('Sensor Reading' in rec) (out[type] ??= {})[rec['Sensor ID'] ?? ''] = rec;
  }
  if (Object.keys(out).length === 0) throw parseFailure(nodeUuid, `parse ipmi sensor data failed, get nothing with input data: ${text}`);
  return out;
}
