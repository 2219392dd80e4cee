/** Parsing `ipmitool sdr -v` as Ironic does (sample in ipmitool 1.8's format). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverError } from '../../core/errors.ts';
import { parseSensorsData } from './sensors.ts';

const SAMPLE = `Sensor ID              : Temp (0x1)
 Entity ID             : 3.1 (Processor)
 Sensor Type (Threshold)  : Temperature (0x01)
 Sensor Reading        : -58 (+/- 1) degrees C
 Status                : ok
 Upper critical        : 50.000

Sensor ID              : FAN MOD 1A RPM (0x30)
 Entity ID             : 7.1 (System Board)
 Sensor Type (Threshold)  : Fan (0x04)
 Sensor Reading        : 8400 (+/- 75) RPM
 Status                : ok

Sensor ID              : Intrusion (0x73)
 Entity ID             : 7.1 (System Board)
 Sensor Type (Discrete): Physical Security (0x05)
 Sensor Reading        : 0h
 States Asserted       : Physical Security

Sensor ID              : PS Redundancy (0x77)
 Entity ID             : 7.1 (System Board)
 Sensor Type (Discrete): Power Supply (0x08)
 States Asserted       : Redundancy State
`;

test('sensors are grouped by type and keyed by Sensor ID; records without a reading are dropped', () => {
  const d = parseSensorsData('n1', SAMPLE);
  assert.deepEqual(Object.keys(d).sort(), ['Fan', 'Physical', 'Temperature']);
  assert.equal(d.Temperature!['Temp (0x1)']!['Sensor Reading'], '-58 (+/- 1) degrees C');
  assert.equal(d.Fan!['FAN MOD 1A RPM (0x30)']!.Status, 'ok');
  assert.ok(!('Power' in d), 'PS Redundancy has no Sensor Reading');
});

test('unparseable sensor data fails with the node named', () => {
  assert.deepEqual(parseSensorsData('n1', ''), {});
  assert.throws(() => parseSensorsData('n1', 'Sensor ID : X\n Status : ok\n'),
    (e: unknown) => e instanceof DriverError && e.message.startsWith('Failed to parse sensor data for node n1. Error: parse ipmi sensor data failed, unknown sensor type'));
  assert.throws(() => parseSensorsData('n1', 'Sensor ID : X\n Sensor Type (Analog) : Voltage\n'),
    (e: unknown) => e instanceof DriverError && /get nothing with input data/.test(e.message));
});
