import { expect } from 'chai';
import { hashPodTemplate, LABELS, stableStringify } from '../../../operator/src/translate/index.js';
import { taskSpec, translate } from './helpers.js';

describe('translate/hash', () => {
  it('writes JSON with sorted keys at every level, arrays in order', () => {
    expect(stableStringify({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).to.equal('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('hashes a template the same whatever the key order, ignoring its own label', () => {
    const one = { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'x', image: 'y' }] } };
    const two = { spec: { containers: [{ image: 'y', name: 'x' }] }, metadata: { labels: { b: '2', a: '1', [LABELS.templateHash]: 'old' } } };
    expect(hashPodTemplate(one))
      .to.equal(hashPodTemplate(two))
      .and.match(/^[0-9a-f]{10}$/);
  });

  it('labels a translated template with its hash, the same on every call', () => {
    const first = translate(taskSpec()).template;
    const second = translate(taskSpec()).template;
    expect(first?.metadata?.labels?.[LABELS.templateHash]).to.equal(hashPodTemplate(first!));
    expect(second).to.deep.equal(first);
  });

  it('changes the hash when the spec changes', () => {
    const hashOf = (image: string) =>
      translate(taskSpec({ containerDefinitions: [{ name: 'app', image, memory: 512 }] })).template?.metadata?.labels?.[LABELS.templateHash];
    expect(hashOf('nginx:1')).to.not.equal(hashOf('nginx:2'));
  });
});
