import { expect } from 'chai';
import { isLabelKey, isLabelValue, isPortName, toDnsLabel, toDnsSubdomain, toLabelValue } from '../../../operator/src/translate/names.js';

describe('translate/names', () => {
  it('makes DNS labels of ECS names', () => {
    expect(['web', 'Web_App', '__x__', 'a--b', '___'].map(toDnsLabel)).to.deep.equal(['web', 'web-app', 'x', 'a-b', '']);
  });

  it('cuts long names to 63 characters with a hash that keeps them apart', () => {
    const a = toDnsLabel(`${'a'.repeat(70)}1`);
    const b = toDnsLabel(`${'a'.repeat(70)}2`);
    expect(a).to.have.length(63);
    expect(a).to.match(/^a+-[0-9a-f]{8}$/);
    expect(a).to.not.equal(b);
  });

  it('makes DNS subdomains, keeping dots', () => {
    expect(['My.Bucket/app.env', 'prod/db', '.a..b.'].map(toDnsSubdomain)).to.deep.equal(['my.bucket-app.env', 'prod-db', 'a.b']);
  });

  it('knows label keys and values', () => {
    expect(['app', 'com.example/team', 'com.example.vendor', 'bad key', 'a/b/c', '-x'].map(isLabelKey)).to.deep.equal([true, true, true, false, false, false]);
    expect(['', 'v1.2_3', 'has space', 'x'.repeat(64)].map(isLabelValue)).to.deep.equal([true, true, false, false]);
    expect(toLabelValue('--my family!--')).to.equal('my-family');
  });

  it('knows port names (IANA service names)', () => {
    expect(['http', 'web-80', '80', 'a--b', 'Http', 'a-very-long-port-name'].map(isPortName)).to.deep.equal([true, true, false, false, false, false]);
  });
});
