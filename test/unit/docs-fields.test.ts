// docs/translation.md's field table is what the field walk finds now: a field whose mapping changes, or a new
// field, fails here until `npm run docs:fields` rewrites the table.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { DOC, documentWithTable } from '../fields/table.js';

describe('docs/translation.md field table', () => {
  it('is the table the field walk gives (npm run docs:fields)', async function () {
    this.timeout(60_000);
    const committed = readFileSync(DOC, 'utf8');
    expect(committed === (await documentWithTable(committed)), 'docs/translation.md differs from the field walk: run npm run docs:fields').to.equal(true);
  });
});
