/** The functional-suite log summarizer on a trimmed stestr run.log. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failuresOf } from './failures.ts';

const LOG = `{0} ironicclient.tests.functional.osc.v1.test_a.ATests.test_ok [1.0s] ... ok
{0} ironicclient.tests.functional.osc.v1.test_a.ATests.test_create [2.1s] ... FAILED

Captured traceback:
~~~~~~~~~~~~~~~~~~~
    tempest.lib.exceptions.CommandFailed: Command '['openstack', 'baremetal', 'allocation', 'create']' returned non-zero exit status 1.
stdout:
b''
stderr:
b'The resource could not be found. (HTTP 404)\\n'

{0} ironicclient.tests.functional.osc.v1.test_a.ATests.test_negative [2.8s] ... FAILED

Captured traceback:
~~~~~~~~~~~~~~~~~~~
    AssertionError: "Expected UUID for uuid" does not match "Command '['openstack']' returned non-zero exit status 1.
stdout:
b''
stderr:
b'Invalid input (HTTP 400)\\n'"

{0} ironicclient.tests.functional.v1.test_b.BTests.test_show [1.5s] ... FAILED

Captured traceback:
~~~~~~~~~~~~~~~~~~~
    Traceback (most recent call last):
      File "x.py", line 1, in test_show
    testtools.matchers._impl.MismatchError: 'available' != 'enroll'

======
Totals
======
`;

test('one failure per FAILED test, with the CLI stderr or the assertion as cause', () => {
  assert.deepEqual(failuresOf(LOG), [
    { id: 'osc.v1.test_a.ATests.test_create', cause: 'CLI failed: The resource could not be found. (HTTP 404)' },
    { id: 'osc.v1.test_a.ATests.test_negative', cause: 'expected an error matching "Expected UUID for uuid", CLI said: Invalid input (HTTP 400)' },
    { id: 'v1.test_b.BTests.test_show', cause: "MismatchError: 'available' != 'enroll'" },
  ]);
});
