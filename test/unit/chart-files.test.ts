// The Helm chart's files as they are on disk, without rendering them (rendering needs helm, a Go build, so those
// tests are in test/e2e/chart-render.test.ts): files generated from elsewhere are current, Chart.yaml carries the
// project's version, and the values schema lists the log levels the operator accepts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { ECS_KINDS } from '../../operator/src/api/index.js';
import { LOG_LEVELS } from '../../operator/src/runtime/logging.js';
import { CHART_DIR, GENERATED, REPO_ROOT } from '../../scripts/sync-packaging.js';

const chartFile = (name: string): unknown => parse(readFileSync(join(CHART_DIR, name), 'utf8'));
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('Helm chart files', () => {
  describe('files kept in step with their sources (npm run chart:sync)', () => {
    it('crds/ is the top-level crds/, byte for byte, and nothing more', () => {
      const { files } = GENERATED.crds();
      expect(files, 'one CRD per kind').to.have.length(Object.keys(ECS_KINDS).length);
      for (const file of files) expect(readFileSync(join(REPO_ROOT, file.path), 'utf8'), file.path).to.equal(file.content);
      // A stale file left in the chart's crds/ would install a CRD the operator no longer has.
      expect(readdirSync(join(CHART_DIR, 'crds')).sort()).to.deep.equal(files.map((f) => f.path.split('/').pop()).sort());
    });

    it('files/scheduler-profiles.yaml is the output of the operator code', () => {
      const [file] = GENERATED.scheduler().files;
      expect(readFileSync(join(REPO_ROOT, file!.path), 'utf8')).to.equal(file!.content);
    });
  });

  it("appVersion is package.json's version", () => {
    const chart = chartFile('Chart.yaml') as { appVersion: string; kubeVersion: string };
    expect(chart.appVersion).to.equal(packageJson.version);
    expect(chart.kubeVersion).to.equal('>=1.30.0-0');
  });

  it('values.schema.json lists the log levels the operator accepts', () => {
    const schema = chartFile('values.schema.json') as { properties: { logLevel: { enum: string[] } } };
    expect(schema.properties.logLevel.enum).to.deep.equal([...LOG_LEVELS]);
  });
});
