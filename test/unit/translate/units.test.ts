import { expect } from 'chai';
import {
  containerCpuMillicores,
  cpuQuantityToUnits,
  memoryQuantityToMiB,
  mibToQuantity,
  millicoresToQuantity,
  parseTaskCpu,
  parseTaskMemory,
  taskCpuMillicores,
} from '../../../operator/src/translate/index.js';
import { quantityToNumber } from '../../../operator/src/translate/units.js';

describe('translate/units', () => {
  describe('CPU units → millicores', () => {
    it('rounds a container request down, at least 1m', () => {
      expect([1024, 256, 100, 1, 2048, 10].map(containerCpuMillicores)).to.deep.equal([1000, 250, 97, 1, 2000, 9]);
    });

    it('rounds a task size up', () => {
      expect([1024, 256, 100, 1, 4096].map(taskCpuMillicores)).to.deep.equal([1000, 250, 98, 1, 4000]);
    });

    it('keeps the containers within the task for any split of the task units', () => {
      for (const task of [128, 256, 333, 1000, 1024, 4097]) {
        for (let first = 1; first < task; first += 7) {
          const parts = [first, Math.max(1, Math.floor((task - first) / 2)), task - first - Math.max(1, Math.floor((task - first) / 2))].filter(
            (part) => part > 0,
          );
          const sum = parts.reduce((total, part) => total + containerCpuMillicores(part), 0);
          expect(sum, `${parts.join('+')} of ${task}`).to.be.at.most(taskCpuMillicores(task));
        }
      }
    });

    it('writes canonical quantities', () => {
      expect([1000, 250, 2000, 1500].map(millicoresToQuantity)).to.deep.equal(['1', '250m', '2', '1500m']);
    });
  });

  describe('memory MiB → quantity', () => {
    it('uses the largest binary suffix that divides, as the API server stores it', () => {
      expect([2048, 512, 1536, 1048576, 64].map(mibToQuantity)).to.deep.equal(['2Gi', '512Mi', '1536Mi', '1Ti', '64Mi']);
    });
  });

  const taskSizes = [
    {
      field: 'cpu',
      parse: parseTaskCpu,
      reads: 'units and vCPU',
      valid: [
        ['1024', 1024],
        [1024, 1024],
        ['1 vCPU', 1024],
        ['0.25 vCPU', 256],
        ['2vcpu', 2048],
        [' 512 ', 512],
      ],
      invalid: ['lots', '0.3 vCPU', '0'],
      message: '"lots" is not CPU units ("1024") or vCPU ("1 vCPU")',
    },
    {
      field: 'memory',
      parse: parseTaskMemory,
      reads: 'MiB and GB (1 GB = 1024 MiB, as in ECS)',
      valid: [
        ['2048', 2048],
        [2048, 2048],
        ['2 GB', 2048],
        ['0.5GB', 512],
        ['1 GiB', 1024],
        ['512 MiB', 512],
      ],
      invalid: ['lots', '0.1 GB', '2 TB'],
      message: '"lots" is not MiB ("2048") or GB ("2 GB")',
    },
  ] as const;

  for (const { field, parse, reads, valid, invalid, message } of taskSizes) {
    describe(`task ${field}`, () => {
      it(`reads ${reads}`, () => {
        expect(valid.map(([text]) => parse(text, `spec.${field}`))).to.deep.equal(valid.map(([, value]) => ({ ok: true, value })));
      });

      it('names the field when it cannot', () => {
        expect(parse('lots', `spec.${field}`)).to.deep.equal({ ok: false, issue: { path: `spec.${field}`, message } });
        for (const text of invalid) expect(parse(text, `spec.${field}`), text).to.deep.include({ ok: false });
      });
    });
  }

  describe('quantities → ECS sizes', () => {
    it('reads node CPU as units, rounding down', () => {
      expect(['2', '1500m', '0.5', '1m', 'x'].map(cpuQuantityToUnits)).to.deep.equal([2048, 1536, 512, 1, undefined]);
    });

    it('reads node memory as MiB, rounding down', () => {
      expect(['3768Mi', '1Gi', '1G', '1048576Ki', '1e9', 'lots'].map(memoryQuantityToMiB)).to.deep.equal([3768, 1024, 953, 1024, 953, undefined]);
    });

    it('reads the nanocores and microcores metrics.k8s.io reports usage in', () => {
      expect(['250123456n', '1500u', '1E', '1Ei'].map(quantityToNumber)).to.deep.equal([0.250123456, 0.0015, 1e18, 2 ** 60]);
      expect(cpuQuantityToUnits('500000000n')).to.equal(512);
    });
  });
});
