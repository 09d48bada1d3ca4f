import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger, errorFields } from '../../../operator/src/runtime/logging.js';

describe('runtime/logging', () => {
  it('writes one JSON object per line carrying the fields of every parent logger', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const log = createLogger('info', stream).child({ controller: 'task' }).child({ key: 'ns/web' });
    log.info('reconciled', { lastStatus: 'RUNNING' });
    log.debug('not at info level');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).to.have.length(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).to.include({ level: 'info', message: 'reconciled', controller: 'task', key: 'ns/web', lastStatus: 'RUNNING' });
    expect(line.timestamp).to.be.a('string');
  });

  it("takes an API error's message from the Status in its body", () => {
    const apiError = Object.assign(new Error('HTTP-Code: 409 Message: ... Headers: {...}'), {
      code: 409,
      body: JSON.stringify({ kind: 'Status', message: 'Operation cannot be fulfilled on pods "web": the object has been modified' }),
    });
    expect(errorFields(apiError)).to.deep.equal({
      error: 'Operation cannot be fulfilled on pods "web": the object has been modified',
      status: 409,
    });
    expect(errorFields(new Error('plain'))).to.deep.equal({ error: 'plain' });
    expect(errorFields('text')).to.deep.equal({ error: 'text' });
  });
});
