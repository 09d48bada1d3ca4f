import { expect } from 'chai';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';

describe('api/meta', () => {
  it('names the group and version of the four kinds', () => {
    expect(ECS_API_VERSION).to.equal('ecs.operator.dev/v1alpha1');
  });
});
