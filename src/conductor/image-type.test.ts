import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageTypeUpdate } from './image-type.ts';

// Expected values are what Ironic 21.4 wrote after adoption for the same instance_info
// (fake-hardware on the reference peer).
test('image type recorded at adoption, as 21.4 does', () => {
  assert.equal(imageTypeUpdate({}, {}), undefined);
  assert.equal(imageTypeUpdate({ image_source: '6e3a3ef5-5b5f-4c1d-9a3f-0c1d0f0e0a11' }, {}), undefined, 'Glance reference without Glance');
  assert.equal(imageTypeUpdate({ image_source: 'glance://img' }, {}), undefined);
  assert.deepEqual(imageTypeUpdate({ image_source: 'http://x/img', foo: 'bar' }, { keep: 1 }), {
    instance_info: { image_source: 'http://x/img', foo: 'bar', image_type: 'whole-disk' },
    driver_internal_info: { keep: 1, is_whole_disk_image: true },
  });
  assert.deepEqual(imageTypeUpdate({ image_source: 'http://x/img', kernel: 'k' }, {})?.instance_info.image_type, 'partition');
  assert.deepEqual(imageTypeUpdate({ image_source: 'http://x/img', ramdisk: 'r' }, {})?.driver_internal_info, { is_whole_disk_image: false });
  assert.deepEqual(imageTypeUpdate({ image_source: 'http://x/img', image_type: 'partition' }, {})?.driver_internal_info, { is_whole_disk_image: false });
  assert.equal(imageTypeUpdate({ image_source: 'http://x/img', image_type: 'bogus' }, {})?.instance_info.image_type, 'whole-disk');
  assert.equal(imageTypeUpdate({ image_source: 'file:///etc/hostname' }, {})?.instance_info.image_type, 'whole-disk');
});
