import { expect } from 'chai';
import { secretReferenceFromArn } from '../../../operator/src/translate/index.js';

describe('translate/secrets: ARN → Secret key reference', () => {
  it('names a Secrets Manager secret without its random suffix, key value', () => {
    expect(secretReferenceFromArn('arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db_password-AbC123')).to.deep.equal({
      name: 'prod-db-password',
      key: 'value',
      ignored: [],
    });
  });

  it('takes the JSON key of a Secrets Manager reference, and reports a pinned version', () => {
    expect(secretReferenceFromArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:Api-Keys-x1Y2z3:stripe::')).to.deep.equal({
      name: 'api-keys',
      key: 'stripe',
      ignored: [],
    });
    expect(secretReferenceFromArn('arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-x1Y2z3:token:AWSPREVIOUS:')).to.deep.equal({
      name: 'api',
      key: 'token',
      ignored: ['version stage AWSPREVIOUS'],
    });
  });

  it('names an SSM parameter by its path', () => {
    expect(secretReferenceFromArn('arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password')).to.deep.equal({
      name: 'prod-db-password',
      key: 'value',
      ignored: [],
    });
    expect(secretReferenceFromArn('arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/API_TOKEN')).to.deep.equal({
      name: 'api-token',
      key: 'value',
      ignored: [],
    });
  });

  it('reads a bare parameter name the same way', () => {
    expect(secretReferenceFromArn('/prod/db/password')).to.deep.equal({ name: 'prod-db-password', key: 'value', ignored: [] });
    expect(secretReferenceFromArn('db_password')).to.deep.equal({ name: 'db-password', key: 'value', ignored: [] });
  });

  it('says why it cannot', () => {
    expect(secretReferenceFromArn('arn:aws:kms:us-east-1:123456789012:key/abc'))
      .to.be.a('string')
      .and.match(/neither a Secrets Manager secret nor an SSM parameter/);
    expect(secretReferenceFromArn('arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf:bad key')).to.match(/not a valid Secret key/);
    expect(secretReferenceFromArn('///')).to.match(/gives no Kubernetes name/);
  });
});
